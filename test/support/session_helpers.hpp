#pragma once
// What the session tests share: a bound pair of sessions over loopback,
// recorders for what the handlers hear, and bounded waits.

#include "connect_helpers.hpp"

#include <msrp/session/session.hpp>

#include <asio/this_coro.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace msrp::test {

/// What an `incoming_handler` was given.
struct incoming_log {
    std::vector<IncomingMessage> messages;
    std::optional<std::error_code> ended;

    incoming_handler handler() {
        return [this](IncomingMessage m, std::error_code ec) {
            if (ec)
                ended = ec;
            else
                messages.push_back(std::move(m));
        };
    }
};

/// What a `message_handler` was given, for any number of messages.
struct report_log {
    std::vector<message_report> reports;

    message_handler handler() {
        return [this](const message_report& r) { reports.push_back(r); };
    }
    /// The final reports, in the order they came.
    std::vector<message_report> finals() const {
        std::vector<message_report> out;
        for (const auto& r : reports)
            if (r.final)
                out.push_back(r);
        return out;
    }
    std::optional<message_report> final_of(const std::string& id) const {
        for (const auto& r : reports)
            if (r.final && r.message_id == id)
                return r;
        return std::nullopt;
    }
};

/// Polls `done` every few milliseconds until it holds or `limit` passes;
/// returns whether it held. The limit is a backstop, not a measurement.
/// `done` is taken as it is: a `std::function` built inside the caller's
/// co_await expression would be a temporary GCC 12 mishandles.
template <class Done>
asio::awaitable<bool> wait_until(Done done, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > until)
            co_return false;
        co_await sleep_for(std::chrono::milliseconds(2));
    }
    co_return true;
}

} // namespace msrp::test

/// Waits (bounded) until the condition holds, then REQUIREs that it did.
/// The wait's result is named first: Catch's temporaries must not share a
/// full expression with the co_await (GCC 12).
#define REQUIRE_EVENTUALLY(...)                                                                     \
    do {                                                                                            \
        const bool eventually_held_ = co_await ::msrp::test::wait_until([&] { return (__VA_ARGS__); }); \
        REQUIRE(eventually_held_);                                                                  \
    } while (false)
