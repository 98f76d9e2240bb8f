#pragma once
// The REPORT window (`session_options::max_unreported_bytes`): a message
// sent with Success-Report yes keeps at most so many body bytes sent and
// not yet covered by success REPORTs. One whose next chunk does not fit
// waits here, out of the send queue's turns, until REPORTs make room or
// its time runs out. Internal header of the session core (no Asio): time
// is passed in.
//
// Why REPORTs and not 200s: through relays (RFC 4976) every hop answers
// 200 at once, so the 200s of the send window pace a sender on the first
// relay; a success REPORT comes end to end from the receiver (RFC 4975
// §7.1.2), its Byte-Range saying which bytes arrived.

#include "outgoing_message.hpp"

#include <msrp/protocol/byte_range.hpp>
#include <msrp/session/session_options.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace msrp::detail {

class report_window {
public:
    using time_point = std::chrono::steady_clock::time_point;

    explicit report_window(const session_options& options) : options_(options) {}

    /// Whether `m` is paced by its REPORTs.
    bool applies_to(const outgoing_message& m) const noexcept {
        return options_.max_unreported_bytes.has_value() && m.success_report;
    }
    /// Body bytes of `m` sent and not covered by its success REPORTs (the
    /// core keeps `delivered` within what was sent).
    static std::uint64_t unreported_bytes(const outgoing_message& m) noexcept {
        const std::uint64_t sent = m.next - 1;
        return sent - std::min(sent, m.delivered.covered_bytes());
    }
    /// Whether the next chunk of `m` fits in the window. With nothing
    /// unreported one always does: a window smaller than a chunk sends
    /// one chunk at a time instead of none.
    bool has_room(const outgoing_message& m) const noexcept {
        const std::uint64_t unreported = unreported_bytes(m);
        return unreported == 0 || unreported + next_chunk_bytes(m) <= *options_.max_unreported_bytes;
    }

    /// `m` has more to send and no room: it waits until `deadline`.
    void park(std::shared_ptr<outgoing_message> m, time_point deadline) {
        m->waits_for_room = true;
        parked_.emplace_back(deadline, std::move(m));
    }
    /// A REPORT covered new bytes of a waiting `m` without making room: the
    /// receiver is reporting, so its time starts again.
    void extend(const outgoing_message& m, time_point deadline) noexcept {
        for (auto& [d, p] : parked_)
            if (p.get() == &m)
                d = deadline;
    }
    /// Takes `m` out (room was made, or it is given up or settled).
    std::shared_ptr<outgoing_message> take(outgoing_message& m) {
        m.waits_for_room = false;
        for (auto it = parked_.begin(); it != parked_.end(); ++it) {
            if (it->second.get() != &m)
                continue;
            auto out = std::move(it->second);
            parked_.erase(it);
            return out;
        }
        return nullptr;
    }
    /// A waiting message whose time ran out by `now`, taken out; null when none.
    std::shared_ptr<outgoing_message> take_expired(time_point now) {
        for (auto& [deadline, m] : parked_)
            if (deadline <= now)
                return take(*m);
        return nullptr;
    }
    /// The earliest deadline, or max().
    time_point next_deadline() const noexcept {
        auto next = time_point::max();
        for (const auto& [deadline, m] : parked_)
            next = std::min(next, deadline);
        return next;
    }
    bool empty() const noexcept { return parked_.empty(); }
    /// Forgets every waiting message (the end of the session: they are the caller's to report).
    void clear() noexcept {
        for (auto& [deadline, m] : parked_)
            m->waits_for_room = false;
        parked_.clear();
    }

private:
    static std::uint64_t next_chunk_bytes(const outgoing_message& m) noexcept {
        const std::uint64_t sent = m.next - 1;
        if (m.total == ByteRange::unknown || m.total < sent)
            return m.chunk_bytes;
        return std::min<std::uint64_t>(m.chunk_bytes, m.total - sent);
    }

    const session_options& options_;
    /// Few: only messages that hold a turn (at most
    /// `max_interleaved_messages`) have a next chunk to wait for.
    std::vector<std::pair<time_point, std::shared_ptr<outgoing_message>>> parked_;
};

} // namespace msrp::detail
