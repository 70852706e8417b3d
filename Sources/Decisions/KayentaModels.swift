import Foundation
import RunLedger
import Vocabulary

/// An entry of `GET /canaryConfig`, as Kayenta's configuration index lists one.
struct KayentaConfigSummary: Encodable {
    var id: String
    var name: String
    var updatedTimestamp: Int64
    var updatedTimestampIso: String
    var applications: [String]
}

/// The thresholds of a `CanaryExecutionRequest` (Kayenta's `CanaryClassifierThresholdsConfig`).
struct KayentaThresholds: Equatable {
    var pass: Double
    var marginal: Double
}

/// What AgentCanary reads of Kayenta's `CanaryExecutionRequest`: the versions its scopes name and its
/// thresholds. Every scope pair must name the same two versions.
struct KayentaExecutionRequest {
    var baselineVersion: String
    var candidateVersion: String
    var thresholds: KayentaThresholds

    /// Reads the request body; a refusal (400) names the field at fault.
    static func parse(_ data: Data) throws(DecisionRefusal) -> KayentaExecutionRequest {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw .badRequest("the body is not a JSON object (a Kayenta CanaryExecutionRequest)")
        }
        guard let scopes = object["scopes"] as? [String: Any], !scopes.isEmpty else {
            throw .badRequest("field 'scopes': a map of at least one scope pair is required")
        }
        var versions: (String, String)?
        for (name, value) in scopes.sorted(by: { $0.key < $1.key }) {
            guard let pair = value as? [String: Any] else { throw .badRequest("field 'scopes.\(name)': not an object") }
            var found: [String] = []
            for side in ["controlScope", "experimentScope"] {
                guard let scope = (pair[side] as? [String: Any])?["scope"] as? String, !scope.isEmpty else {
                    throw .badRequest("field 'scopes.\(name).\(side).scope': the version is required")
                }
                found.append(scope)
            }
            if let versions, versions != (found[0], found[1]) {
                throw .badRequest(
                    "field 'scopes.\(name)': names \(found[0]) and \(found[1]), another scope \(versions.0) and "
                        + "\(versions.1): a canary compares two versions")
            }
            versions = (found[0], found[1])
        }
        guard let thresholds = object["thresholds"] as? [String: Any],
            let pass = (thresholds["pass"] as? NSNumber)?.doubleValue,
            let marginal = (thresholds["marginal"] as? NSNumber)?.doubleValue
        else {
            throw .badRequest("field 'thresholds': numbers 'pass' and 'marginal' are required")
        }
        guard (0...100).contains(marginal), (0...100).contains(pass), pass - marginal >= 1 else {
            throw .badRequest(
                "field 'thresholds': marginal \(marginal) and pass \(pass) must lie in 0–100 with marginal at least 1 "
                    + "below pass, so that continue and hold can score between them")
        }
        guard let versions else { throw .badRequest("field 'scopes': no scope pair") }
        return KayentaExecutionRequest(
            baselineVersion: versions.0, candidateVersion: versions.1,
            thresholds: KayentaThresholds(pass: pass, marginal: marginal))
    }
}

/// A canary execution's id: `look-<look id>-pass-<pass>-marginal-<marginal>`, so that its status is a function
/// of the ledger's look and the thresholds the execution was asked with.
struct KayentaExecutionID {
    var lookId: Int64
    var thresholds: KayentaThresholds

    init(lookId: Int64, thresholds: KayentaThresholds) {
        self.lookId = lookId
        self.thresholds = thresholds
    }

    init?(text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "look", parts[2] == "pass", parts[4] == "marginal",
            let lookId = Int64(parts[1]), let pass = Double(parts[3]), let marginal = Double(parts[5]),
            pass.isFinite, marginal.isFinite
        else { return nil }
        self.init(lookId: lookId, thresholds: KayentaThresholds(pass: pass, marginal: marginal))
    }

    var text: String {
        "look-\(lookId)-pass-\(Self.number(thresholds.pass))-marginal-\(Self.number(thresholds.marginal))"
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

/// `GET /canary/{executionId}`: Kayenta's `CanaryExecutionStatusResponse`, complete, whose judge result's score
/// is the look's decision.
struct KayentaExecutionStatus: Encodable {
    struct Score: Encodable {
        var score: Double
        var classification: String
        var classificationReason: String
    }
    struct JudgeResult: Encodable {
        var judgeName = "agent-canary"
        var results: [String] = []
        var groupScores: [String] = []
        var score: Score
    }
    struct Result: Encodable {
        var judgeResult: JudgeResult
    }

    var application: String
    var pipelineId: String
    var canaryConfigId: String
    var stageStatus: [String: String]
    var complete = true
    var status = "succeeded"
    var result: Result
    var buildTimeIso: String
    var startTimeIso: String
    var endTimeIso: String

    init(look: LookRow, id: KayentaExecutionID) {
        application = look.agent
        pipelineId = id.text
        canaryConfigId = look.agent
        stageStatus = ["agentCanaryLook": "succeeded"]
        let (score, classification) = Self.score(look.decision, thresholds: id.thresholds)
        let reasons =
            (try? JSONSerialization.jsonObject(with: Data(look.judgementJSON.utf8)) as? [String: Any])?[
                "reasons"] as? [String]
        let reason = "AgentCanary decided \(look.decision.rawValue) (look \(look.id))"
        result = Result(
            judgeResult: JudgeResult(
                score: Score(
                    score: score, classification: classification,
                    classificationReason: ([reason] + (reasons ?? [])).joined(separator: "; "))))
        buildTimeIso = look.createdAt
        startTimeIso = look.createdAt
        endTimeIso = look.createdAt
    }

    /// Promote scores 100 (`Pass`), rollback 0 (`Fail`), continue and hold the middle of marginal and pass
    /// rounded down (`Marginal`): at least marginal and below pass, which Argo reads as Inconclusive.
    static func score(_ decision: Decision, thresholds: KayentaThresholds) -> (Double, String) {
        switch decision {
        case .promote: (100, "Pass")
        case .rollback: (0, "Fail")
        case .continue, .hold: (((thresholds.marginal + thresholds.pass) / 2).rounded(.down), "Marginal")
        }
    }
}

/// An error as Kayenta's Spring Boot server answers one.
struct KayentaError: Encodable {
    var timestamp: String
    var status: Int
    var error: String
    var message: String
    var path: String
}
