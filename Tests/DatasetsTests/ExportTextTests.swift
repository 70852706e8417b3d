import Datasets
import Testing

/// `feedback-export`'s `--split` argument.
@Suite("feedback-export --split")
struct ExportTextTests {
    @Test("names with positive shares summing to 1")
    func splits() throws {
        let parsed = try ExportText.splits("train=0.8,eval=0.15,test=0.05").get()
        #expect(parsed.map(\.name) == ["train", "eval", "test"])
        #expect(parsed.map(\.share) == [0.8, 0.15, 0.05])
    }

    @Test(
        "anything else is refused with the argument named",
        arguments: [
            ("train=0.8,eval=0.1", "sum to 0.9"), ("train", "is not like"), ("=1", "is not like"),
            ("train=0,eval=1", "is not like"), ("train=x", "is not like"), ("train=0.5=0.5", "is not like"),
        ])
    func refusals(text: String, message: String) {
        guard case .failure(let refusal) = ExportText.splits(text) else {
            Issue.record("\(text) was accepted")
            return
        }
        #expect(refusal.reason.contains(message), "\(refusal.reason)")
    }
}
