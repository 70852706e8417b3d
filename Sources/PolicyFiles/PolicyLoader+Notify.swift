import Policy
import Yams

extension PolicyLoader {
    /// `notify:`: a list of targets, each `{kind, url_env, secret_env?, events?}`.
    static func readNotify(_ node: PolicyNode) throws(PolicyError) -> [NotifyTarget] {
        guard case .sequence(let items) = node.node else {
            throw node.invalid("expected a list of {kind, url_env, secret_env, events}")
        }
        var targets: [NotifyTarget] = []
        for (index, item) in items.enumerated() {
            let entry = node.child("[\(index)]", item)
            let members = try entry.members(allowed: ["kind", "url_env", "secret_env", "events"])
            guard let kindNode = members["kind"] else {
                throw PolicyError.missingField(file: entry.file, field: "\(entry.path).kind")
            }
            let kindText = try kindNode.string()
            guard let kind = NotifyTarget.Kind(rawValue: kindText) else {
                throw kindNode.invalid(
                    "'\(kindText)' is not one of: \(NotifyTarget.Kind.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            guard let urlNode = members["url_env"] else {
                throw PolicyError.missingField(file: entry.file, field: "\(entry.path).url_env")
            }
            let urlEnv = try environmentName(urlNode)
            let secretEnv = try members["secret_env"].map(environmentName)
            if secretEnv != nil, kind != .webhook {
                throw entry.invalid("secret_env signs a generic webhook's body; \(kind.rawValue) takes no secret")
            }
            var events = NotifyEvent.allCases
            if let eventsNode = members["events"] {
                guard case .sequence(let names) = eventsNode.node, !names.isEmpty else {
                    throw eventsNode.invalid("expected a non-empty list of events")
                }
                events = []
                for (position, name) in names.enumerated() {
                    let eventNode = eventsNode.child("[\(position)]", name)
                    let text = try eventNode.string()
                    guard let event = NotifyEvent(rawValue: text) else {
                        throw eventNode.invalid(
                            "'\(text)' is not one of: \(NotifyEvent.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    if !events.contains(event) { events.append(event) }
                }
            }
            targets.append(NotifyTarget(kind: kind, urlEnv: urlEnv, secretEnv: secretEnv, events: events))
        }
        return targets
    }

    /// The name of an environment variable: upper-case letters, digits and `_`, not starting with a digit. A
    /// value that looks like a URL is refused with a word on why: the URL is a secret.
    static func environmentName(_ node: PolicyNode) throws(PolicyError) -> String {
        let name = try node.string()
        if name.contains("://") {
            throw node.invalid(
                "names the environment variable that holds the URL, not the URL (a webhook URL is a secret)")
        }
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first), name.count <= 128,
            name.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" })
        else {
            throw node.invalid("'\(name)' is not an environment variable name (A-Z, 0-9 and _)")
        }
        return name
    }
}
