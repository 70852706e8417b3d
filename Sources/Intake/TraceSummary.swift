import JSONLines

/// What the intake remembers of a built part of a trace instead of its spans: every span id with the task span
/// it belongs to (empty for none), and each task's id, version and conversation, so that a span arriving later
/// is known as a retry or attributed to its task. Stored as one compact JSON object, each span with the place of
/// its task in `t` (-1 for none): `{"s":{"<span>":0,…},"t":[["<task span>","<task id>","<version>",
/// "<conversation>"],…]}`.
struct TraceSummary: Equatable {
    struct Task: Equatable {
        var taskId: String
        var version: String
        var conversationId: String
    }

    var owners: [String: String] = [:]
    var tasks: [String: Task] = [:]

    init() {}

    /// The summary of its stored text, or `nil` when the text is not one.
    init?(text: String) {
        var text = text
        guard let value = try? text.withUTF8({ try JSONParser.parse($0) }), let object = value.objectValue,
            let owners = object["s"]?.objectValue, let tasks = object["t"]?.arrayValue
        else { return nil }
        var spans: [String] = []
        for entry in tasks {
            guard let fields = entry.arrayValue?.compactMap(\.stringValue), fields.count == 4 else { return nil }
            spans.append(fields[0])
            self.tasks[fields[0]] = Task(taskId: fields[1], version: fields[2], conversationId: fields[3])
        }
        for (span, place) in owners {
            guard let place = place.numberValue.map(Int.init), place < spans.count else { return nil }
            self.owners[span] = place >= 0 ? spans[place] : ""
        }
    }

    /// The stored text, members in name order (the same summary gives the same bytes).
    var text: String {
        let spans = tasks.keys.sorted()
        let places = Dictionary(uniqueKeysWithValues: spans.enumerated().map { ($1, $0) })
        var bytes: [UInt8] = []
        bytes.reserveCapacity(owners.count * 24 + tasks.count * 80)
        bytes.appendRaw("{\"s\":{")
        for (index, span) in owners.keys.sorted().enumerated() {
            if index > 0 { bytes.appendRaw(",") }
            bytes.appendJSONString(span)
            bytes.appendRaw(":")
            bytes.appendRaw(String(owners[span].flatMap { places[$0] } ?? -1))
        }
        bytes.appendRaw("},\"t\":[")
        for (index, span) in spans.enumerated() {
            guard let task = tasks[span] else { continue }
            if index > 0 { bytes.appendRaw(",") }
            bytes.appendRaw("[")
            for (field, value) in [span, task.taskId, task.version, task.conversationId].enumerated() {
                if field > 0 { bytes.appendRaw(",") }
                bytes.appendJSONString(value)
            }
            bytes.appendRaw("]")
        }
        bytes.appendRaw("]}")
        return String(decoding: bytes, as: UTF8.self)
    }
}
