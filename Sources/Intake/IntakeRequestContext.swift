import Hummingbird
import NIOCore

/// A request's context in `monitor serve`: Hummingbird's basic one, plus the connection, so that a request
/// whose body does not arrive in time can end its connection (a client dripping bytes is never idle).
struct IntakeRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
