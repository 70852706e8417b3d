import Foundation
import JSONLines
import RunLedger
import Vocabulary

/// Chat fine-tuning and preference formats built from retained records (OpenAI chat fine-tuning and DPO, TRL
/// preference). Only recorded content is used: a record without content yields no training line.
enum TrainingFormats {
    /// JSON text of a value, keys sorted.
    static func render(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number):
            if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
            return String(number)
        case .string(let text): return jsonStringLiteral(text)
        case .array(let items): return "[" + items.map(render).joined(separator: ",") + "]"
        case .object(let members):
            return "{"
                + members.sorted { $0.key < $1.key }.map { "\(jsonStringLiteral($0.key)):\(render($0.value))" }
                .joined(separator: ",") + "}"
        }
    }

    /// The prompt's messages from a recorded input: `{"messages": [...]}`, an array of messages, or text (one
    /// user message).
    static func promptMessages(_ input: String?) -> [JSONValue]? {
        guard let input else { return nil }
        if let value = try? JSONParser.parse(input) {
            if let messages = value["messages"]?.arrayValue, !messages.isEmpty { return messages }
            if let messages = value.arrayValue, !messages.isEmpty, messages.allSatisfy({ $0["role"] != nil }) {
                return messages
            }
            if case .string(let text) = value { return [.object(["role": .string("user"), "content": .string(text)])] }
        }
        return [.object(["role": .string("user"), "content": .string(input)])]
    }

    /// The assistant's text from a recorded output (a JSON string, an assistant message, or text).
    static func outputText(_ output: String?) -> String? {
        guard let output else { return nil }
        if let value = try? JSONParser.parse(output) {
            if case .string(let text) = value { return text }
            if let content = value["content"]?.stringValue { return content }
        }
        return output
    }

    static func toolNames(_ json: String) -> [String] {
        ((try? JSONParser.parse(json))?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
    }

    /// An OpenAI chat fine-tuning line: the prompt, the assistant's tool calls (each answered by a tool
    /// message whose result was not recorded: empty), the assistant's answer; `weight` on assistant turns.
    static func sftLine(_ record: RetainedRecord, input: String?, output: String?, weight: Int) -> String? {
        guard var messages = promptMessages(input), let answer = outputText(output) else { return nil }
        let names = toolNames(record.toolCalls)
        if !names.isEmpty {
            let calls: [JSONValue] = names.enumerated().map { index, name in
                .object([
                    "id": .string("call_\(index + 1)"), "type": .string("function"),
                    "function": .object(["name": .string(name), "arguments": .string("{}")]),
                ])
            }
            messages.append(
                .object(["role": .string("assistant"), "tool_calls": .array(calls), "weight": .number(Double(weight))]))
            for index in names.indices {
                messages.append(
                    .object([
                        "role": .string("tool"), "tool_call_id": .string("call_\(index + 1)"), "content": .string(""),
                    ]))
            }
        }
        messages.append(
            .object(["role": .string("assistant"), "content": .string(answer), "weight": .number(Double(weight))]))
        let tools: [JSONValue] = Array(Set(names)).sorted().map { name in
            .object([
                "type": .string("function"),
                "function": .object([
                    "name": .string(name),
                    "parameters": .object(["type": .string("object"), "properties": .object([:])]),
                ]),
            ])
        }
        var line: [String: JSONValue] = ["messages": .array(messages)]
        if !tools.isEmpty { line["tools"] = .array(tools) }
        return render(.object(line))
    }

    /// A preference pair: the prompt, the preferred and the rejected assistant answers, and why.
    struct Pair {
        var prompt: [JSONValue]
        var preferred: String
        var rejected: String
        var evidence: [String: String]
    }

    /// Pairs from shadow disagreements (the stable version's answer preferred when its task succeeded) and
    /// from records of both arms with the same prompt and different outcomes (the successful one preferred).
    static func pairs(_ records: [(record: RetainedRecord, input: String?, output: String?)]) -> [Pair] {
        var pairs: [Pair] = []
        for item in records where item.record.kind == .shadowDisagreements && item.record.outcome == .success {
            guard let prompt = promptMessages(item.input), let stable = outputText(item.output) else { continue }
            let proposed =
                outputText(item.record.labels["proposed_output"])
                ?? "Tool calls: " + toolNames(item.record.labels["proposed_tool_calls"] ?? "[]").joined(separator: ", ")
            let actual = "Tool calls: " + toolNames(item.record.toolCalls).joined(separator: ", ")
            pairs.append(
                Pair(
                    prompt: prompt,
                    preferred: item.record.labels["proposed_output"] == nil ? actual + "\n" + stable : stable,
                    rejected: proposed,
                    evidence: [
                        "source": "shadow-disagreement", "preferred_event_id": item.record.eventKey,
                        "reason": "the stable version's task succeeded; the shadow candidate proposed other tool calls",
                    ]))
        }
        var byPrompt:
            [String: (success: (RetainedRecord, String)?, failure: (RetainedRecord, String)?, prompt: [JSONValue])] =
                [:]
        for item in records where item.record.kind != .shadowDisagreements {
            guard let input = item.input, let prompt = promptMessages(input), let answer = outputText(item.output)
            else {
                continue
            }
            var entry = byPrompt[input] ?? (nil, nil, prompt)
            if item.record.outcome == .success {
                if entry.success == nil { entry.success = (item.record, answer) }
            } else if entry.failure == nil {
                entry.failure = (item.record, answer)
            }
            byPrompt[input] = entry
        }
        for key in byPrompt.keys.sorted() {
            guard let entry = byPrompt[key], let good = entry.success, let bad = entry.failure, good.0.arm != bad.0.arm,
                good.1 != bad.1
            else { continue }
            pairs.append(
                Pair(
                    prompt: entry.prompt, preferred: good.1, rejected: bad.1,
                    evidence: [
                        "source": "outcome", "preferred_event_id": good.0.eventKey, "rejected_event_id": bad.0.eventKey,
                        "reason":
                            "same prompt: \(good.0.arm) \(good.0.version) succeeded, \(bad.0.arm) \(bad.0.version) "
                            + "ended \(bad.0.outcome)",
                    ]))
        }
        return pairs
    }

    static func assistant(_ text: String) -> JSONValue {
        .array([.object(["role": .string("assistant"), "content": .string(text)])])
    }

    /// OpenAI DPO: `input`, `preferred_output`, `non_preferred_output`.
    static func dpoLine(_ pair: Pair) -> String {
        render(
            .object([
                "input": .object(["messages": .array(pair.prompt)]), "preferred_output": assistant(pair.preferred),
                "non_preferred_output": assistant(pair.rejected),
            ]))
    }

    /// TRL conversational preference: `prompt`, `chosen`, `rejected`.
    static func trlLine(_ pair: Pair) -> String {
        render(
            .object([
                "prompt": .array(pair.prompt), "chosen": assistant(pair.preferred),
                "rejected": assistant(pair.rejected),
            ]))
    }
}
