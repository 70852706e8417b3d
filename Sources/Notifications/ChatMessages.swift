import Foundation
import Policy
import Vocabulary

/// A notice in each service's own message format, as the JSON body its incoming webhook takes.
///
/// - Slack: Block Kit (`text` as the fallback, a `header`, `section` fields, a `context`, an `actions` button).
/// - Microsoft Teams (Workflows webhooks): a `message` with one Adaptive Card 1.4 attachment (`TextBlock`s, a
///   `FactSet`, an `Action.OpenUrl`).
/// - Discord: `content` and one embed (`title`, `description`, `color`, inline `fields`, `url`).
/// - Google Chat: `text` and a `cardsV2` card (`header`, a section of `decoratedText` widgets, a `buttonList`).
/// - The generic webhook: the notice itself (``ReleaseNotice``).
///
/// Texts are cut to each service's documented limits (Slack 3,000 per text object and 10 fields, Discord 256
/// for a title, 4,096 for a description, 1,024 per field value).
package enum ChatMessages {
    /// The body for `kind`.
    package static func body(_ notice: ReleaseNotice, kind: NotifyTarget.Kind) throws -> Data {
        let object: Any
        switch kind {
        case .slack: object = slack(notice)
        case .msteams: object = teams(notice)
        case .discord: object = discord(notice)
        case .googlechat: object = googleChat(notice)
        case .webhook:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return try encoder.encode(notice)
        }
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    /// Agent, versions, run, step and weight as (label, value) pairs.
    static func facts(_ notice: ReleaseNotice) -> [(String, String)] {
        var facts = [
            ("Agent", notice.agent), ("Candidate", notice.candidateVersion), ("Baseline", notice.baselineVersion),
            ("Run", notice.runId),
        ]
        if let step = notice.step { facts.append(("Step", String(step))) }
        if let weight = notice.weight { facts.append(("Weight", "\(weight) %")) }
        if let decision = notice.decision { facts.append(("Decision", decision.rawValue)) }
        if let actor = notice.actor { facts.append(("By", notice.forced ? "\(actor) (forced)" : actor)) }
        return facts
    }

    /// The reasons and the driving metrics, one per line.
    static func details(_ notice: ReleaseNotice) -> [String] {
        notice.reasons.map { "• \($0)" } + notice.drivingMetrics.map { "• " + ReleaseNotice.describe($0) }
    }

    static func cut(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    static func slack(_ notice: ReleaseNotice) -> [String: Any] {
        var blocks: [[String: Any]] = [
            ["type": "header", "text": ["type": "plain_text", "text": cut(notice.headline, 150)]],
            [
                "type": "section",
                "fields": facts(notice).prefix(10).map {
                    ["type": "mrkdwn", "text": cut("*\($0.0)*\n\($0.1)", 2_000)]
                },
            ],
        ]
        let lines = details(notice)
        if !lines.isEmpty {
            blocks.append([
                "type": "section", "text": ["type": "mrkdwn", "text": cut(lines.joined(separator: "\n"), 3_000)],
            ])
        }
        blocks.append([
            "type": "context",
            "elements": [["type": "mrkdwn", "text": "AgentCanary \(notice.source) · \(notice.createdAt)"]],
        ])
        if let url = notice.reportURL {
            blocks.append([
                "type": "actions",
                "elements": [
                    ["type": "button", "text": ["type": "plain_text", "text": "Open the report"], "url": url]
                ],
            ])
        }
        return ["text": cut(notice.headline, 3_000), "blocks": blocks]
    }

    static func teams(_ notice: ReleaseNotice) -> [String: Any] {
        var body: [[String: Any]] = [
            ["type": "TextBlock", "text": notice.headline, "weight": "Bolder", "size": "Medium", "wrap": true],
            ["type": "FactSet", "facts": facts(notice).map { ["title": $0.0, "value": $0.1] }],
        ]
        for line in details(notice) { body.append(["type": "TextBlock", "text": line, "wrap": true]) }
        var card: [String: Any] = [
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": "1.4",
            "body": body,
        ]
        if let url = notice.reportURL {
            card["actions"] = [["type": "Action.OpenUrl", "title": "Open the report", "url": url]]
        }
        return [
            "type": "message",
            "attachments": [["contentType": "application/vnd.microsoft.card.adaptive", "content": card]],
        ]
    }

    static func discord(_ notice: ReleaseNotice) -> [String: Any] {
        let color =
            switch notice.event {
            case .rollback: 0xD0_3030
            case .hold, .pause, .forced: 0xE0_A000
            default: 0x2E_A043
            }
        var embed: [String: Any] = [
            "title": cut(notice.headline, 256), "color": color,
            "fields": facts(notice).prefix(25).map {
                ["name": cut($0.0, 256), "value": cut($0.1, 1_024), "inline": true]
            },
            "footer": ["text": "AgentCanary \(notice.source)"], "timestamp": notice.createdAt,
        ]
        let lines = details(notice)
        if !lines.isEmpty { embed["description"] = cut(lines.joined(separator: "\n"), 4_096) }
        if let url = notice.reportURL { embed["url"] = url }
        return ["content": cut(notice.headline, 2_000), "embeds": [embed]]
    }

    static func googleChat(_ notice: ReleaseNotice) -> [String: Any] {
        var widgets: [[String: Any]] = facts(notice).map { ["decoratedText": ["topLabel": $0.0, "text": $0.1]] }
        let lines = details(notice)
        if !lines.isEmpty { widgets.append(["textParagraph": ["text": lines.joined(separator: "\n")]]) }
        if let url = notice.reportURL {
            widgets.append([
                "buttonList": ["buttons": [["text": "Open the report", "onClick": ["openLink": ["url": url]]]]]
            ])
        }
        return [
            "text": notice.headline,
            "cardsV2": [
                [
                    "cardId": "agent-canary-\(notice.idempotencyKey)",
                    "card": [
                        "header": ["title": notice.headline, "subtitle": "AgentCanary \(notice.source)"],
                        "sections": [["widgets": widgets]],
                    ],
                ]
            ],
        ]
    }
}
