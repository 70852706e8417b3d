import Foundation
import JSONLines
import Testing

@Suite("JSON parser")
struct JSONParserTests {
    @Test(
        "valid documents give the values they spell",
        arguments: [
            (
                #"{"a":1,"b":[true,false,null],"c":"x\"y\\z\u00e9\ud83d\ude00"}"#,
                JSONValue.object([
                    "a": .number(1), "b": .array([.bool(true), .bool(false), .null]), "c": .string("x\"y\\zé😀"),
                ])
            ),
            ("[]", .array([])), ("  {}  ", .object([:])), ("-0.5e-3", .number(-0.0005)), ("\"\"", .string("")),
        ])
    func valid(text: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
    }

    @Test(
        "invalid documents are refused with an offset",
        arguments: [
            "{", "{\"a\":}", "[1,]", "01", "NaN", "{\"a\":1}x", "\"\\x\"", "\"\u{01}\"", "[1 2]", "{'a':1}",
            "\"\\ud800\"", "1.", "-", "tru",
        ])
    func invalid(text: String) {
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(text) }
    }

    @Test("strings decode escapes and surrogate pairs")
    func strings() throws {
        let value = try JSONParser.parse(#"{"s":"a\nb\t\"q\" \u00e9 \ud83d\ude00 é"}"#)
        #expect(value["s"]?.stringValue == "a\nb\t\"q\" é 😀 é")
    }

    /// The fast path must round like the standard library's correctly rounded conversion.
    @Test("numbers parse exactly like Double(String)")
    func numbers() throws {
        let samples = [
            "0", "-0", "1", "0.1", "0.125", "123456789012345", "1234567890123456789", "3.14159265358979",
            "0.000123", "1e10", "-2.5E-3", "9007199254740993", "0.30000000000000004", "1.7976931348623157e308",
            "4.9e-324", "12.5", "99.99", "0.012345678",
        ]
        for text in samples {
            let parsed = try JSONParser.parse(text).numberValue
            #expect(parsed == Double(text), "\(text)")
        }
    }

    @Test("JSONL lines are numbered from 1, blank lines are skipped, CRLF is one line end")
    func lines() throws {
        let text = Array("{\"a\":1}\n\n  \n{\"a\":2}\r\n{\"a\":\n".utf8)
        var seen: [(Int, String)] = []
        text.withUnsafeBufferPointer { buffer in
            JSONLinesReader.forEachLine(in: buffer) { line, bytes in
                seen.append((line, String(decoding: bytes, as: UTF8.self)))
            }
        }
        #expect(seen.map(\.0) == [1, 4, 5])
        #expect(seen.map(\.1) == ["{\"a\":1}", "{\"a\":2}", "{\"a\":"])
        text.withUnsafeBufferPointer { buffer in
            #expect(JSONLinesReader.location(of: 12, in: buffer) == (line: 4, column: 1))
        }
    }

    @Test("the scanner reads members and skips unknown values")
    func scanner() throws {
        let text = Array(#"{"x":{"deep":[1,{"y":"z"}]},"n":2.5,"s":"ok","b":true,"z":null}"#.utf8)
        try text.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            try scanner.beginObject()
            var found: [String] = []
            while let key = try scanner.nextMember() {
                switch key {
                case "n": #expect(try scanner.number() == 2.5)
                case "s": #expect(try scanner.string() == "ok")
                case "b": #expect(try scanner.bool())
                case "z": #expect(try scanner.consumeNull())
                default: try scanner.skipValue()
                }
                found.append(key)
            }
            try scanner.expectEnd()
            #expect(found == ["x", "n", "s", "b", "z"])
        }
    }
}
