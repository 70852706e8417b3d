import Foundation
import Policy
import Testing
import Vocabulary

/// Per-arm values are written as the two-element arrays looks stored before the type existed, so a stored
/// look's inputs decode, and `monitor rejudge` recomputes them, unchanged.
@Suite("Per-arm values")
struct PerArmTests {
    @Test("written and read as [baseline, candidate], nulls included")
    func arrayForm() throws {
        let value = PerArm<Double?>(baseline: 0.25, candidate: nil)
        let data = try JSONEncoder().encode(value)
        #expect(String(decoding: data, as: UTF8.self) == "[0.25,null]")
        let stored = try JSONDecoder().decode(PerArm<Int>.self, from: Data("[3, 7]".utf8))
        #expect(stored == PerArm(baseline: 3, candidate: 7))
        #expect(stored[.baseline] == 3 && stored[.candidate] == 7)
        #expect(
            try JSONDecoder().decode([String: PerArm<Double?>].self, from: Data("{\"m\": [null, 1.5]}".utf8))["m"]
                == PerArm(baseline: nil, candidate: 1.5))
    }

    @Test("an array of another length is refused", arguments: ["[]", "[1]", "[1, 2, 3]"])
    func wrongLength(_ text: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PerArm<Int>.self, from: Data(text.utf8)) }
    }

    @Test("made per arm, mapped, and set by arm")
    func perArm() {
        var counts = PerArm { $0 == .baseline ? 1 : 2 }
        counts[.candidate] += 5
        #expect(counts.map { $0 * 10 } == PerArm(baseline: 10, candidate: 70))
        #expect(counts.both == [1, 7])
        #expect(PerArm(indexed: ["b", "c"]) == PerArm(baseline: "b", candidate: "c"))
    }
}
