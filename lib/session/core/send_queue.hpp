#pragma once
// What a session has to send: chunks given whole (`send_chunk`) and
// messages it splits into chunks, what they are charged against the
// queue's limit, and whose turn it is. Internal header of the session core
// (no Asio).
//
// Accounting: every byte counted against `max_queued_bytes` is charged and
// refunded here (`charge` / `refund`), on the queue's total and on the
// item's own count together, so the total is always the sum of the items.

#include "outgoing_message.hpp"

#include <msrp/protocol/chunk.hpp>
#include <msrp/session/message_report.hpp>
#include <msrp/session/session_options.hpp>

#include <algorithm>
#include <cstddef>
#include <deque>
#include <memory>

namespace msrp::detail {

/// A chunk given whole, waiting for its turn.
struct queued_chunk {
    Chunk chunk;
    response_handler on_response;
    bool internal = false;  ///< see pending_transaction::internal
    bool keepalive = false; ///< see pending_transaction::keepalive
    std::size_t queued_bytes = 0;
};

class send_queue {
public:
    /// What a queued chunk or message costs beyond its body (its state, ids,
    /// header fields), so that many small messages are bounded too.
    static constexpr std::size_t item_overhead = 512;

    explicit send_queue(const session_options& options) : options_(options) {}

    // ---- accounting ----
    void charge(std::size_t& item, std::size_t n) noexcept {
        item += n;
        bytes_ += n;
    }
    void refund(std::size_t& item, std::size_t n) noexcept {
        n = std::min(n, item);
        item -= n;
        bytes_ -= n;
    }
    void refund_all(std::size_t& item) noexcept { refund(item, item); }
    /// Bytes charged: chunks and message bodies waiting, and their overhead.
    std::size_t bytes() const noexcept { return bytes_; }

    // ---- admission ----
    /// What a message counts when queued: a chunk's worth (its own chunk
    /// size) for a source, else its body in memory, plus its overhead.
    static std::size_t message_cost(bool from_source, std::size_t chunk_bytes,
                                    std::size_t memory_body_bytes) noexcept {
        return (from_source ? chunk_bytes : memory_body_bytes) + item_overhead;
    }
    /// Whether `n` more bytes fit. An empty queue takes anything, so one
    /// message larger than the limit can still be sent.
    bool has_room(std::size_t n) const noexcept { return bytes_ == 0 || bytes_ + n <= options_.max_queued_bytes; }
    /// `queue_message`'s rule: a message costing `n` waits before it is
    /// queued once the queue is past `queue_high_water_bytes`...
    bool must_wait(std::size_t n) const noexcept { return bytes_ > 0 && bytes_ + n > high_water(); }
    /// ...until a write's worth went out: a writer woken for every freed
    /// slot would write one small chunk at a time.
    bool may_resume(std::size_t n) const noexcept {
        const std::size_t high = high_water();
        const std::size_t low = high - std::min(high / 2, options_.max_write_batch_bytes);
        return bytes_ == 0 || bytes_ + n <= low;
    }

    // ---- what waits ----
    /// Queues a chunk charged `cost`.
    void push_chunk(queued_chunk q, std::size_t cost) {
        charge(q.queued_bytes, cost);
        chunks_.push_back(std::move(q));
    }
    /// Queues a message charged `cost`. A message of one chunk goes at once;
    /// one of several takes turns with at most `max_interleaved_messages`
    /// others (RFC 4975 §7.1), more wait for one of them to end.
    void push_message(std::shared_ptr<outgoing_message> m, std::size_t cost) {
        charge(m->queued_bytes, cost);
        const bool one_chunk = !m->from_source && m->body.size() <= m->chunk_bytes;
        if (one_chunk) {
            sending_.push_back(std::move(m));
        } else if (interleaved_ < max_interleaved()) {
            m->holds_turn = true;
            ++interleaved_;
            sending_.push_back(std::move(m));
        } else {
            waiting_.push_back(std::move(m));
        }
    }
    /// A message ended or sent its last chunk: the next waiting one starts.
    void release_turn(outgoing_message& m) {
        if (!m.holds_turn)
            return;
        m.holds_turn = false;
        --interleaved_;
        while (interleaved_ < max_interleaved() && !waiting_.empty()) {
            auto next = std::move(waiting_.front());
            waiting_.pop_front();
            if (next->final_sent)
                continue;
            next->holds_turn = true;
            ++interleaved_;
            sending_.push_back(std::move(next));
        }
    }

    // ---- turns ----
    /// The chunk queue and the messages take turns, a chunk each. True when
    /// the next to go is a queued chunk, false when a message's chunk.
    /// `messages_may_go`: the send window has room for a message's chunk.
    bool chunks_go_next(bool messages_may_go) const noexcept {
        return !chunks_.empty() && (chunks_turn_ || sending_.empty() || !messages_may_go);
    }
    bool has_next(bool messages_may_go) const noexcept {
        return !chunks_.empty() || (messages_may_go && !sending_.empty());
    }
    /// The next queued chunk, refunded.
    queued_chunk take_chunk() {
        chunks_turn_ = false;
        queued_chunk q = std::move(chunks_.front());
        chunks_.pop_front();
        refund_all(q.queued_bytes);
        return q;
    }
    /// The message whose chunk goes next; `requeue` it for its next turn.
    std::shared_ptr<outgoing_message> take_message() {
        chunks_turn_ = true;
        auto m = std::move(sending_.front());
        sending_.pop_front();
        return m;
    }
    void requeue(std::shared_ptr<outgoing_message> m) { sending_.push_back(std::move(m)); }

    /// Whether anything waits to be sent.
    bool empty() const noexcept { return chunks_.empty() && sending_.empty() && waiting_.empty(); }

    /// Empties the queue for the end of the session and returns the chunks,
    /// refunded, for their verdicts. The messages are the caller's (it
    /// knows them by their ids) to refund.
    std::deque<queued_chunk> take_all() {
        auto chunks = std::move(chunks_);
        chunks_.clear();
        for (auto& q : chunks)
            refund_all(q.queued_bytes);
        sending_.clear();
        waiting_.clear();
        interleaved_ = 0;
        return chunks;
    }

private:
    std::size_t high_water() const noexcept {
        return std::min(options_.queue_high_water_bytes, options_.max_queued_bytes);
    }
    std::size_t max_interleaved() const noexcept { return std::max<std::size_t>(options_.max_interleaved_messages, 1); }

    const session_options& options_;
    std::deque<queued_chunk> chunks_;                       ///< from send_chunk, in order
    std::deque<std::shared_ptr<outgoing_message>> sending_; ///< taking turns, front next
    std::deque<std::shared_ptr<outgoing_message>> waiting_; ///< not started: too many interleaved
    std::size_t interleaved_ = 0;                           ///< messages holding a turn
    bool chunks_turn_ = true;
    std::size_t bytes_ = 0;
};

} // namespace msrp::detail
