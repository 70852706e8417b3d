import Foundation
import HTTPRequests
import JSONLines

/// A minimal client of the Prometheus HTTP API's instant queries (`/api/v1/query`).
package struct PrometheusClient: Sendable {
    let baseURL: String
    let timeout: TimeInterval

    /// A client of the server at `baseURL`.
    package init(baseURL: String, timeout: TimeInterval = 10) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.timeout = timeout
    }

    /// The outcome of one query.
    package enum Answer: Equatable, Sendable {
        /// The first sample's value, or `nil` when the result is empty.
        case value(Double?)
        /// Prometheus refused the query (`bad_data`).
        case refused(String)
    }

    /// Evaluates `query` at `time` (seconds since 1970); throws when the server cannot be reached.
    package func query(_ query: String, at time: Double) throws -> Answer {
        var components = URLComponents(string: baseURL + "/api/v1/query")
        components?.queryItems = [
            URLQueryItem(name: "query", value: query), URLQueryItem(name: "time", value: String(format: "%.3f", time)),
        ]
        guard let url = components?.url else {
            throw MonitorError.prometheusUnavailable(url: baseURL, reason: "not a valid URL")
        }
        let response: BlockingHTTPRequest.Response
        do {
            response = try BlockingHTTPRequest(url: url, timeout: timeout).send()
        } catch {
            throw MonitorError.prometheusUnavailable(url: baseURL, reason: error.description)
        }
        guard let body = try? JSONParser.parse([UInt8](response.body)) else {
            throw MonitorError.prometheusUnavailable(
                url: baseURL, reason: "HTTP \(response.status) without a JSON body")
        }
        if body["status"]?.stringValue == "error" {
            let message = body["error"]?.stringValue ?? "unknown error"
            if body["errorType"]?.stringValue == "bad_data" { return .refused(message) }
            throw MonitorError.prometheusUnavailable(url: baseURL, reason: message)
        }
        guard let result = body["data"]?["result"] else {
            throw MonitorError.prometheusUnavailable(url: baseURL, reason: "the answer has no data.result")
        }
        // A vector's first sample, or a scalar.
        if let first = result.arrayValue?.first, let pair = first["value"]?.arrayValue, pair.count == 2,
            let text = pair[1].stringValue
        {
            return .value(Double(text).flatMap { $0.isFinite ? $0 : nil })
        }
        if let pair = result.arrayValue, pair.count == 2, let text = pair[1].stringValue {
            return .value(Double(text).flatMap { $0.isFinite ? $0 : nil })
        }
        return .value(nil)
    }
}
