import Testing

@testable import SpoolCore

@Suite struct StableHashingTests {
    @Test func hexIsLowercaseTwoDigitsAByte() {
        #expect([UInt8]([0x00, 0x0f, 0xa0, 0xff]).hexString == "000fa0ff")
        #expect([UInt8]().hexString == "")
    }

    @Test func fnv1aMatchesTheReferenceValues() {
        // The published FNV-1a 64 test vectors.
        #expect(StableHash.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
        #expect(StableHash.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(StableHash.fnv1a64("foobar") == 0x8594_4171_f739_67e8)
    }
}
