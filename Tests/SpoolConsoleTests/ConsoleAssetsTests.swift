import Foundation
import Testing

@testable import SpoolConsole

/// The console's files as bundled: each one the page needs is there with its type, and nothing in them needs what the
/// Content-Security-Policy forbids (inline scripts, inline styles, event-handler attributes, eval), which a browser
/// would refuse silently.
@Suite struct ConsoleAssetsTests {
    let assets = ConsoleAssets.bundled

    func text(_ name: String) throws -> String {
        String(decoding: try #require(assets.assets[name], "\(name) is bundled").bytes, as: UTF8.self)
    }

    @Test func everyFileThePageNeedsIsBundledWithItsType() throws {
        #expect(assets.assets["index.html"]?.contentType == "text/html; charset=utf-8")
        #expect(assets.assets["app.js"]?.contentType == "text/javascript; charset=utf-8")
        #expect(assets.assets["app.css"]?.contentType == "text/css; charset=utf-8")
        #expect(assets.assets["favicon.svg"]?.contentType == "image/svg+xml")
        let page = try text("index.html")
        for reference in ["/console/app.js", "/console/app.css", "/console/favicon.svg"] {
            #expect(page.contains(reference), "index.html loads \(reference)")
        }
    }

    @Test func nothingNeedsWhatThePolicyForbids() throws {
        let page = try text("index.html")
        let script = try text("app.js")
        // Every <script> loads a file; none carries code.
        let scripts = page.matches(of: /<script\b([^>]*)>/).map { String($0.output.1) }
        #expect(!scripts.isEmpty && scripts.allSatisfy { $0.contains("src=") })
        #expect(page.firstMatch(of: /<style\b/) == nil, "no <style> element")
        #expect(page.firstMatch(of: /\sstyle\s*=/) == nil, "no style attribute")
        #expect(page.firstMatch(of: /\son[a-z]+\s*=/) == nil, "no event-handler attribute")
        #expect(script.firstMatch(of: /\beval\s*\(|new\s+Function\s*\(/) == nil, "no eval")
        #expect(script.firstMatch(of: /style\s*=\s*["']/) == nil, "no style attribute written by the script")
        #expect(script.firstMatch(of: /\son[a-z]+\s*=\s*["']/) == nil, "no event-handler attribute written")
        // No other origin: no CDN, no web font, no analytics.
        // (The SVG namespace is a name, not a place the page loads anything from.)
        for file in [page, script, try text("app.css")] {
            let origins = file.matches(of: /(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}\//).map { String($0.output.0) }
            #expect(origins.allSatisfy { $0.hasSuffix("//www.w3.org/") }, "no other origin: \(origins)")
        }
    }

    @Test func theKeyIsNeverKeptByThePage() throws {
        let script = try text("app.js")
        #expect(script.firstMatch(of: /localStorage|sessionStorage|document\.cookie\s*=/) == nil)
    }

    @Test func entityTagsTellFilesApart() {
        #expect(ConsoleAssets.entityTag(of: Array("a".utf8)) != ConsoleAssets.entityTag(of: Array("b".utf8)))
        #expect(ConsoleAssets.entityTag(of: []) == ConsoleAssets.entityTag(of: []))
        #expect(ConsoleAssets.contentType(of: "notes.txt") == nil)
    }
}
