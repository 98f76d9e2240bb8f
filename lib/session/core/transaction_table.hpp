#pragma once
// What a session sent and still waits to hear about: requests waiting for
// their transaction response, and messages whose chunks were all accepted
// waiting for their success REPORT, each with its deadline. Internal header
// of the session core (no Asio): time is passed in.

#include "outgoing_message.hpp"
#include "pending_requests.hpp"

#include <msrp/protocol/byte_range.hpp>
#include <msrp/protocol/report_rules.hpp>
#include <msrp/session/message_report.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace msrp::detail {

/// A request sent and waiting for its response.
struct pending_transaction {
    response_handler on_response;
    /// The handler belongs to the library (a `deliver_chunk` waiting): it
    /// is called even after the session object is gone.
    bool internal = false;
    /// A keep-alive probe: no answer in time ends the session.
    bool keepalive = false;
    /// The verdict when no response comes (RFC 4975 §7.1.1, the seed's rule).
    int timeout_code = 408;
    std::shared_ptr<outgoing_message> message; ///< the message the chunk belongs to
    failure_report failure_mode = failure_report::yes;
    std::size_t body_bytes = 0;                ///< counted in the send window
};

class transaction_table {
public:
    using clock = std::chrono::steady_clock;
    using time_point = clock::time_point;

    /// Tracks a request sent now, answered by `deadline` or given its local
    /// verdict. A request still pending under the same id can no longer be
    /// told apart from it: it is returned, for the caller to give its verdict.
    std::optional<pending_transaction> track(std::string_view transaction_id, time_point deadline,
                                             pending_transaction t) {
        bytes_in_flight_ += t.body_bytes;
        auto replaced = requests_.add(transaction_id, deadline, std::move(t));
        if (replaced)
            bytes_in_flight_ -= replaced->body_bytes;
        return replaced;
    }
    bool contains(std::string_view transaction_id) const noexcept { return requests_.contains(transaction_id); }
    /// The request `transaction_id` answers; false when none waits (late or unknown).
    bool take(std::string_view transaction_id, pending_transaction& out) {
        if (!requests_.take(transaction_id, out))
            return false;
        bytes_in_flight_ -= out.body_bytes;
        return true;
    }
    /// The first request whose deadline passed, in sending order.
    bool take_expired(time_point now, std::string& transaction_id, pending_transaction& out) {
        if (!requests_.take_expired(now, transaction_id, out))
            return false;
        bytes_in_flight_ -= out.body_bytes;
        return true;
    }
    /// Answers come mostly in sending order: dropping answered requests from
    /// the front keeps the table as long as what is in flight. A chunk of a
    /// settled message waits for nothing (nor holds room in the window).
    void trim() {
        requests_.trim([this](const pending_transaction& t) {
            const bool settled = t.message && t.message->final_sent;
            if (settled)
                bytes_in_flight_ -= t.body_bytes;
            return settled;
        });
    }
    /// Body bytes of the requests waiting (see `session_options::max_bytes_in_flight`).
    std::size_t bytes_in_flight() const noexcept { return bytes_in_flight_; }

    /// A message whose chunks were all accepted waits for its success REPORT until `deadline`.
    void wait_for_report(std::shared_ptr<outgoing_message> m, time_point deadline) {
        m->waits_for_report = true;
        reports_.emplace_back(deadline, std::move(m));
    }
    /// The first message whose report did not come by `now`.
    std::shared_ptr<outgoing_message> take_expired_report(time_point now) {
        trim_reports();
        if (reports_.empty() || reports_.front().first > now)
            return nullptr;
        auto m = std::move(reports_.front().second);
        reports_.pop_front();
        return m;
    }
    /// REPORTs come mostly in sending order: dropping settled messages from
    /// the front keeps the queue as long as what still waits.
    void trim_reports() {
        while (!reports_.empty() && reports_.front().second->final_sent)
            reports_.pop_front();
    }

    /// The earliest deadline, or max().
    time_point next_deadline() {
        auto next = requests_.next_deadline();
        if (!reports_.empty())
            next = std::min(next, reports_.front().first);
        return next;
    }

    /// Whether an answer may still change an outcome: a response where a
    /// 200 is owed, any answer for a message not settled, a success REPORT.
    bool awaits_answers() const noexcept {
        bool owed = false;
        requests_.for_each([&](std::string_view, const pending_transaction& t) {
            owed = owed || (t.message ? !t.message->final_sent : t.failure_mode == failure_report::yes);
        });
        if (owed)
            return true;
        for (const auto& [deadline, m] : reports_)
            if (!m->final_sent)
                return true;
        return false;
    }

    /// Requests waiting for their response.
    std::size_t size() const noexcept { return requests_.size(); }

    /// Everything, for the end of the session: the requests are returned
    /// (their verdicts are the caller's), the report waits forgotten (their
    /// messages are the caller's too).
    pending_requests<pending_transaction> take_all() {
        auto all = std::move(requests_);
        requests_.clear();
        reports_.clear();
        bytes_in_flight_ = 0;
        return all;
    }

private:
    pending_requests<pending_transaction> requests_;
    std::deque<std::pair<time_point, std::shared_ptr<outgoing_message>>> reports_;
    std::size_t bytes_in_flight_ = 0;
};

} // namespace msrp::detail
