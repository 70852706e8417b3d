import Foundation
import Policy
import Vocabulary

/// nginx (open source): a complete `nginx.conf` and the include-able `agent-canary.conf` it wraps.
///
/// Open-source nginx has no `sticky`, and `hash $cookie consistent` sends a request without the cookie
/// through weighted round-robin, so the first and later requests of a conversation could disagree. Instead:
/// pins first (the `x-agent-version` header a client echoes, then the `agent-version` cookie), then a
/// `split_clients` on the conversation id for new conversations, so even the first requests of one
/// conversation agree; every response sets the pin. Mirroring uses `mirror` to an internal location that
/// forwards only the sampled share (`mirror` itself cannot sample).
enum NginxRenderer {
    static func render(_ plan: RoutingPlan) throws(RoutingError) -> [RenderedFile] {
        let snippet = try snippet(plan)
        let full = """
            # nginx.conf rendered by canary-deploy for \(plan.agent); the http block includes the snippet verbatim.
            worker_processes 1;
            events {
                worker_connections 1024;
            }
            http {
            \(snippet.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "    \($0)" }.joined(separator: "\n"))
            }

            """
        return [
            RenderedFile(name: "nginx.conf", validationKind: "nginx", text: full),
            RenderedFile(name: "agent-canary.conf", validationKind: nil, text: snippet),
        ]
    }

    static func snippet(_ plan: RoutingPlan) throws(RoutingError) -> String {
        let prefix = "agent_canary"
        var lines: [String] = [
            "# AgentCanary routing for \(plan.agent): baseline \(plan.version(.baseline)), candidate \(plan.version(.candidate)).",
            "# Include inside an http { } block.",
        ]
        if let deadline = plan.drainDeadline {
            lines.append(
                "# Pins of the retired version drain until \(deadline); `canary-deploy reconcile` drops them after.")
        }
        for arm in Arm.allCases {
            lines += ["upstream \(prefix)_\(arm.rawValue) {", "    server \(plan.backend(arm).address);", "}"]
        }
        if plan.mirrorPercent != nil {
            lines += ["upstream \(prefix)_shadow {", "    server \(plan.shadow.address);", "}"]
        }
        // Pins: the echoed header first, then the cookie. Only arms still taking pinned traffic appear.
        let headerVariable = "$http_" + plan.pinHeader.lowercased().replacingOccurrences(of: "-", with: "_")
        lines += ["map \(headerVariable) $\(prefix)_header_pin {", "    default \"\";"]
        for arm in plan.pinnedInOrder { lines.append("    \(quoted(plan.version(arm))) \(arm.rawValue);") }
        lines += ["}", "map $http_cookie $\(prefix)_cookie_pin {", "    default \"\";"]
        for arm in plan.pinnedInOrder {
            lines.append("    \(quoted("~" + cookiePattern(plan.pinCookie, plan.version(arm)))) \(arm.rawValue);")
        }
        lines += [
            "}",
            "map $\(prefix)_header_pin $\(prefix)_pin {",
            "    \"\" $\(prefix)_cookie_pin;",
            "    default $\(prefix)_header_pin;",
            "}",
        ]
        // New conversations.
        let conversationVariable =
            "$http_" + plan.conversationHeader.lowercased().replacingOccurrences(of: "-", with: "_")
        lines += [
            "map \(conversationVariable) $\(prefix)_conversation {",
            "    \"\" $request_id;",
            "    default \(conversationVariable);",
            "}",
        ]
        switch plan.newConversations {
        case .split(let percent):
            guard (0...100).contains(percent) else { throw .invalidPlan(reason: "weight \(percent) is outside 0…100") }
            lines.append("split_clients \"${\(prefix)_conversation}\" $\(prefix)_new {")
            if percent > 0 && percent < 100 { lines.append("    \(percent)% candidate;") }
            lines += ["    * \(percent >= 100 ? "candidate" : "baseline");", "}"]
        case .all(let arm):
            lines += ["map $\(prefix)_conversation $\(prefix)_new {", "    default \(arm.rawValue);", "}"]
        case .match(let rules):
            // One map per rule, chained: the first rule that matches sends the request to the candidate.
            var previous = "baseline"
            for (index, rule) in rules.enumerated().reversed() {
                let source =
                    rule.kind == "header"
                    ? "$http_" + rule.name.lowercased().replacingOccurrences(of: "-", with: "_") : "$http_cookie"
                let pattern =
                    rule.kind == "header" ? quoted(rule.value) : quoted("~" + cookiePattern(rule.name, rule.value))
                let name = "$\(prefix)_match_\(index)"
                lines += ["map \(source) \(name) {", "    \(pattern) candidate;", "    default \(previous);", "}"]
                previous = name
            }
            lines += ["map $\(prefix)_conversation $\(prefix)_new {", "    default \(previous);", "}"]
        }
        lines += [
            "map $\(prefix)_pin $\(prefix)_arm {",
            "    \"\" $\(prefix)_new;",
            "    default $\(prefix)_pin;",
            "}",
            "map $\(prefix)_arm $\(prefix)_version {",
            "    candidate \(quoted(plan.version(.candidate)));",
            "    default \(quoted(plan.version(.baseline)));",
            "}",
        ]
        if let percent = plan.mirrorPercent {
            guard (1...100).contains(percent) else {
                throw .invalidPlan(reason: "mirror share \(percent) is outside 1…100")
            }
            lines.append("split_clients \"${request_id}\" $\(prefix)_mirrored {")
            if percent < 100 { lines.append("    \(percent)% yes;") }
            lines += ["    * \(percent < 100 ? "no" : "yes");", "}"]
        }
        lines += [
            "server {",
            "    listen \(plan.listen);",
            "    server_name \(plan.host) localhost 127.0.0.1;",
            "    location / {",
        ]
        if plan.mirrorPercent != nil {
            lines += ["        mirror /_agent_canary_mirror;", "        mirror_request_body on;"]
        }
        lines += [
            "        proxy_pass http://\(prefix)_$\(prefix)_arm;",
            "        proxy_set_header Host $host;",
            "        proxy_set_header X-Agent-Canary-Arm $\(prefix)_arm;",
            "        add_header Set-Cookie \"\(plan.pinCookie)=$\(prefix)_version; Path=/; HttpOnly; SameSite=Lax\" always;",
            "        add_header \(plan.pinHeader) $\(prefix)_version always;",
            "    }",
        ]
        if plan.mirrorPercent != nil {
            lines += [
                "    location = /_agent_canary_mirror {",
                "        internal;",
                "        if ($\(prefix)_mirrored = no) {",
                "            return 204;",
                "        }",
                "        proxy_pass http://\(prefix)_shadow$request_uri;",
                "        proxy_set_header Host $host;",
                "        proxy_set_header X-Agent-Canary-Shadow \"1\";",
                "    }",
            ]
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
