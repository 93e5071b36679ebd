import SpoolCommands

@main
enum Spool {
    static func main() async {
        await SpoolCommand.runAsRoot()
    }
}
