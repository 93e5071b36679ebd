import SpoolCore
import Testing

@testable import SpoolAutoscaling

/// A worker's price from the instance catalog, by instance and capacity type.
@Suite struct CapacityPriceTests {
    let catalog = InstanceCatalog([
        InstanceType(
            name: "g6.xlarge", pricePerHour: 0.80, spotPricePerHour: 0.32, bootSeconds: 90, gpusPerInstance: 1,
            jobSlots: 2, watts: 180),
        InstanceType(name: "c7i.large", pricePerHour: 0.09, bootSeconds: 60),
    ])

    @Test func spotAndOnDemandPayTheirOwnPrice() {
        let spot = catalog.capacityPrice(instanceType: "g6.xlarge", capacityType: .spot, explicitPricePerHour: nil)
        #expect(spot == CapacityPrice(instanceType: "g6.xlarge", capacityType: .spot, pricePerHour: 0.32, watts: 180))
        let onDemand = catalog.capacityPrice(
            instanceType: "g6.xlarge", capacityType: .onDemand, explicitPricePerHour: nil)
        #expect(onDemand?.pricePerHour == 0.80)
        // A type without a spot price is paid at its on-demand price.
        let noSpot = catalog.capacityPrice(instanceType: "c7i.large", capacityType: .spot, explicitPricePerHour: nil)
        #expect(noSpot?.pricePerHour == 0.09 && noSpot?.watts == nil)
    }

    @Test func anExplicitPriceWinsAndNothingKnownStaysUnknown() {
        let explicit = catalog.capacityPrice(
            instanceType: "g6.xlarge", capacityType: .spot, explicitPricePerHour: 0.25)
        #expect(explicit?.pricePerHour == 0.25 && explicit?.watts == 180)
        let unknownType = catalog.capacityPrice(
            instanceType: "p5.48xlarge", capacityType: .onDemand, explicitPricePerHour: nil)
        #expect(unknownType == CapacityPrice(instanceType: "p5.48xlarge", capacityType: .onDemand))
        #expect(unknownType?.pricePerHour == nil)
        #expect(catalog.capacityPrice(instanceType: nil, capacityType: .onDemand, explicitPricePerHour: nil) == nil)
        let flagOnly = InstanceCatalog([]).capacityPrice(
            instanceType: nil, capacityType: .onDemand, explicitPricePerHour: 1.5)
        #expect(flagOnly?.pricePerHour == 1.5)
    }
}
