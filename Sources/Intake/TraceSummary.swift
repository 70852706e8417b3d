import JSONLines

/// What the intake remembers of a built part of a trace instead of its spans: every span id with the task span
/// it belongs to (empty for none), and each task's id, version and conversation, so that a span arriving later
/// is known as a retry or attributed to its task. Stored as one compact JSON object:
/// `{"s":{"<span>":"<task span>",…},"t":{"<task span>":["<task id>","<version>","<conversation>"],…}}`.
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
            let owners = object["s"]?.objectValue, let tasks = object["t"]?.objectValue
        else { return nil }
        for (span, owner) in owners {
            guard let owner = owner.stringValue else { return nil }
            self.owners[span] = owner
        }
        for (span, fields) in tasks {
            guard let fields = fields.arrayValue?.compactMap(\.stringValue), fields.count == 3 else { return nil }
            self.tasks[span] = Task(taskId: fields[0], version: fields[1], conversationId: fields[2])
        }
    }

    /// The stored text, members in name order (the same summary gives the same bytes).
    var text: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(owners.count * 40 + tasks.count * 80)
        bytes.appendRaw("{\"s\":{")
        for (index, span) in owners.keys.sorted().enumerated() {
            if index > 0 { bytes.appendRaw(",") }
            bytes.appendJSONString(span)
            bytes.appendRaw(":")
            bytes.appendJSONString(owners[span] ?? "")
        }
        bytes.appendRaw("},\"t\":{")
        for (index, span) in tasks.keys.sorted().enumerated() {
            guard let task = tasks[span] else { continue }
            if index > 0 { bytes.appendRaw(",") }
            bytes.appendJSONString(span)
            bytes.appendRaw(":[")
            bytes.appendJSONString(task.taskId)
            bytes.appendRaw(",")
            bytes.appendJSONString(task.version)
            bytes.appendRaw(",")
            bytes.appendJSONString(task.conversationId)
            bytes.appendRaw("]")
        }
        bytes.appendRaw("}}")
        return String(decoding: bytes, as: UTF8.self)
    }
}
