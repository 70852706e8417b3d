import Foundation
import Logging
import Policy
import RunLedger

/// Sends a notice to the policy's targets that want it and records how each delivery went.
///
/// Called after the decision or transition is committed: a delivery that fails is logged and recorded, and
/// changes nothing else — not the decision, not the exit status, not the ledger's record of the transition.
package struct Notifier: Sendable {
    package let targets: [NotifyTarget]
    package let environment: [String: String]
    package let delivery: NoticeDelivery
    let logger: Logger

    /// A notifier for `targets`, reading their URLs and secrets from `environment`.
    package init(targets: [NotifyTarget], environment: [String: String], timeout: TimeInterval, logger: Logger) {
        self.targets = targets
        self.environment = environment
        self.delivery = NoticeDelivery(timeout: timeout)
        self.logger = logger
    }

    /// Delivers `notice` to every target that wants it, one after another; records the outcomes in `ledger`
    /// and returns one report per target for the summary.
    @discardableResult
    package func send(_ notice: ReleaseNotice, ledger: Ledger) -> [DeliveryReport] {
        var records: [NotificationRecord] = []
        var reports: [DeliveryReport] = []
        for (index, target) in targets.enumerated() where notice.isWanted(by: target) {
            let name = "\(target.kind.rawValue)#\(index)"
            var record = NotificationRecord(
                runId: notice.runId, source: notice.source, event: notice.event.rawValue, forced: notice.forced,
                target: name, urlEnv: target.urlEnv, idempotencyKey: notice.idempotencyKey, attempts: 0,
                status: "not_configured", httpStatus: nil, error: nil, createdAt: notice.createdAt)
            guard let text = environment[target.urlEnv], !text.isEmpty else {
                record.error = "\(target.urlEnv) is not set"
                logger.warning(
                    "notification not sent", metadata: ["target": "\(name)", "reason": "\(record.error ?? "")"])
                records.append(record)
                reports.append(
                    DeliveryReport(text: "\(name): not sent (\(target.urlEnv) is not set)", delivered: false))
                continue
            }
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? "") else {
                record.status = "failed"
                record.error = "\(target.urlEnv) does not hold an http(s) URL"
                logger.warning(
                    "notification not sent", metadata: ["target": "\(name)", "reason": "\(record.error ?? "")"])
                records.append(record)
                reports.append(DeliveryReport(text: "\(name): not sent (\(record.error ?? ""))", delivered: false))
                continue
            }
            let secret = target.secretEnv.flatMap { environment[$0] }
            let outcome: DeliveryOutcome
            do {
                outcome = delivery.post(
                    try ChatMessages.body(notice, kind: target.kind), to: url, idempotencyKey: notice.idempotencyKey,
                    secret: secret)
            } catch {
                outcome = DeliveryOutcome(delivered: false, attempts: 0, httpStatus: nil, error: "cannot encode it")
            }
            record.attempts = outcome.attempts
            record.status = outcome.delivered ? "delivered" : "failed"
            record.httpStatus = outcome.httpStatus
            record.error = outcome.error
            records.append(record)
            let attempts = "\(outcome.attempts) attempt\(outcome.attempts == 1 ? "" : "s")"
            if outcome.delivered {
                reports.append(
                    DeliveryReport(text: "\(name): \(notice.event.rawValue) delivered (\(attempts))", delivered: true))
            } else {
                logger.warning(
                    "notification failed",
                    metadata: [
                        "target": "\(name)", "attempts": "\(outcome.attempts)", "reason": "\(outcome.error ?? "")",
                    ])
                reports.append(
                    DeliveryReport(
                        text:
                            "\(name): \(notice.event.rawValue) failed after \(attempts): \(outcome.error ?? "no response")",
                        delivered: false))
            }
        }
        do {
            try ledger.recordNotifications(records)
        } catch {
            logger.warning("notifications not recorded", metadata: ["reason": "\(error)"])
        }
        return reports
    }
}

/// How one target's delivery went, for the summary: a line, and whether it arrived.
package struct DeliveryReport: Sendable, Equatable {
    package var text: String
    package var delivered: Bool
}
