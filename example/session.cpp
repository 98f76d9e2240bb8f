// README "Sessions", compiled (not run): a session over a bound transport,
// sending one message. check_readme.py keeps the snippet the same as the
// README's.

#include <msrp/session/session.hpp>

#include <memory>
#include <system_error>
#include <utility>

void start_session(std::unique_ptr<msrp::MSRPTransport> transport) {
    // README: Sessions
    msrp::session_options options;                 // accept_types, timeouts, limits
    msrp::MSRPSession session(std::move(transport), options,
        [](msrp::IncomingMessage message, std::error_code ended) {
            // a message, a piece of a large one (Byte-Range, '+' until '$'),
            // a REPORT; once, at the end, an empty message and the reason
        });
    msrp::OutgoingMessage hello;
    hello.data = "Hello";
    hello.success_report = "yes";
    session.send_message(std::move(hello), [](const msrp::message_report& r) {
        // delivered bytes (success REPORTs), then one final report: 200, or
        // the failure (408 no answer in time, 413, 415, 481, ...)
    });
    // README end
}

int main() {
    // Compiled so that the README's code cannot rot; running it needs a
    // bound transport (see connect.cpp).
    return 0;
}
