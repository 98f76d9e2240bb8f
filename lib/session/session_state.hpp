#pragma once
// What an MSRPSession's coroutines share. The coroutines hold it by
// shared_ptr, so it outlives the session object until each of them has
// seen the end. Internal header.

#include <msrp/detail/ident_map.hpp>
#include <msrp/protocol/chunk_serializer.hpp>
#include <msrp/protocol/range_set.hpp>
#include <msrp/protocol/report_rules.hpp>
#include <msrp/session/session.hpp>

#include "../transport/wake_signal.hpp"
#include "pending_requests.hpp"

#include <asio/experimental/channel.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <deque>
#include <optional>
#include <memory>
#include <string>
#include <vector>

namespace msrp::detail {

using incoming_channel = asio::experimental::channel<void(std::error_code, IncomingMessage)>;

/// A message being sent (or waiting for its reports).
struct outgoing_message : std::enable_shared_from_this<outgoing_message> {
    OutgoingMessage message;
    /// The body in memory: `message.shared_data` or `message.data` (empty
    /// for a source).
    std::string_view body;
    message_handler on_report;
    std::string id;
    std::uint64_t total = ByteRange::unknown; ///< Byte-Range total, once known
    std::uint64_t next = 1;                   ///< position of the next byte to send
    std::size_t queued_bytes = 0;             ///< counted in the session's queue
    failure_report failure_mode = failure_report::yes;
    bool success_report = false;
    bool all_sent = false;       ///< the last chunk went out
    bool abort_requested = false;
    bool final_sent = false;     ///< the final report was given
    bool holds_turn = false;     ///< counted in `interleaved`
    bool waits_for_report = false; ///< in `report_deadlines`
    std::size_t in_flight = 0;   ///< chunks waiting for their response
    range_set delivered;         ///< bytes success REPORTs confirmed
};

/// A request sent and waiting for its response.
struct pending_transaction {
    response_handler on_response;
    /// The handler belongs to the library (a `deliver_chunk` waiting): it
    /// is called even after the session object is gone.
    bool internal = false;
    int timeout_code = 408;                    ///< the verdict when no response comes (seed rule)
    std::shared_ptr<outgoing_message> message; ///< the message the chunk belongs to
    ByteRange range;                           ///< its bytes of that message
    failure_report failure_mode = failure_report::yes;
};

/// Bytes of one gather write and what they point into.
///
/// Heads, end-lines and small bodies are copied into one flat buffer, so
/// that many small chunks leave in a few large system calls (a gather
/// write sends at most 64 pieces per call); large bodies are written from
/// where they are, without a copy.
struct write_batch {
    /// Bodies up to this size are copied rather than viewed.
    static constexpr std::size_t copied_body_bytes = 4096;

    std::string replies;                 ///< responses and REPORTs, first on the wire
    std::string flat;
    serialized_chunk scratch;            ///< reused to serialize one chunk
    std::deque<Chunk> chunks;            ///< chunks whose bodies are viewed
    std::deque<std::string> bodies;      ///< bodies read from sources
    std::vector<std::shared_ptr<outgoing_message>> messages; ///< keep whole-message bodies alive
    std::vector<std::string_view> views;
    /// Handlers of chunks that get no response (REPORTs, responses): called
    /// once the chunk is written.
    std::vector<std::pair<std::string, response_handler>> after_write;
    std::size_t bytes = 0;

    /// Adds the chunk serialized in `scratch` (with `body`).
    void add_scratch(std::string_view body) {
        add_flat(scratch.head);
        if (body.size() <= copied_body_bytes)
            add_flat(body);
        else
            pieces_.push_back(piece{true, 0, body.size(), body});
        add_flat(scratch.tail_view());
        bytes += scratch.head.size() + body.size() + scratch.tail_len;
    }
    /// The pieces in wire order; valid until the next change.
    void make_views() {
        views.clear();
        if (!replies.empty())
            views.push_back(replies);
        for (const auto& p : pieces_)
            views.push_back(p.external ? p.view : std::string_view(flat).substr(p.offset, p.size));
    }
    bool empty() const noexcept { return pieces_.empty() && replies.empty(); }
    void clear() {
        replies.clear();
        flat.clear();
        pieces_.clear();
        chunks.clear();
        bodies.clear();
        messages.clear();
        views.clear();
        after_write.clear();
        bytes = 0;
    }

private:
    struct piece {
        bool external;
        std::size_t offset, size; ///< in `flat`, when not external
        std::string_view view;    ///< when external
    };
    void add_flat(std::string_view b) {
        if (b.empty())
            return;
        if (!pieces_.empty() && !pieces_.back().external)
            pieces_.back().size += b.size();
        else
            pieces_.push_back(piece{false, flat.size(), b.size(), {}});
        flat.append(b);
    }
    std::vector<piece> pieces_;
};

struct session_state : std::enable_shared_from_this<session_state> {
    using clock = std::chrono::steady_clock;

    /// What a queued chunk or message costs beyond its body (its state,
    /// ids, header fields), counted against `max_queued_bytes` so that many
    /// small messages are bounded too.
    static constexpr std::size_t queued_item_overhead = 512;

    session_state(std::unique_ptr<MSRPTransport> transport, session_options options);

    void start();

    // Sending.
    std::error_code queue_chunk(Chunk chunk, response_handler on_response, bool internal = false);
    std::string queue_message(OutgoingMessage message, message_handler on_report, std::error_code& ec);
    bool has_room(std::size_t bytes) const noexcept;
    /// What a message counts against `max_queued_bytes` when queued.
    std::size_t queued_cost(const OutgoingMessage& message) const noexcept;
    static std::size_t memory_body_size(const OutgoingMessage& message) noexcept;

    // The coroutines.
    asio::awaitable<void> read_loop();
    asio::awaitable<void> write_loop();
    asio::awaitable<void> deadline_loop();
    asio::awaitable<void> keepalive_loop();

    // Reading.
    void handle_request(IncomingChunk& chunk, std::vector<IncomingMessage>& ready);
    void handle_response(const Chunk& response);
    void trim_deadlines();
    void trim_report_deadlines();
    bool paths_belong(const Chunk& chunk);
    void handle_report(const Chunk& report);
    asio::awaitable<bool> deliver(IncomingMessage message, std::error_code ec);
    void queue_reply(const Chunk& reply);
    void queue_response(int code);
    void reply_queued();
    void flush_replies();
    /// Replies held back while the reader still has input (see reply_queued).
    static constexpr std::size_t held_replies = 16;
    void queue_success_report(const Chunk& message, std::uint64_t total);

    // Writing.
    asio::awaitable<void> fill_batch();
    asio::awaitable<bool> add_message_chunk(std::shared_ptr<outgoing_message> m);
    void track(std::string_view transaction_id, pending_transaction t);
    void release_idle_buffers();
    /// Write buffers larger than this are freed when the writer idles.
    static constexpr std::size_t idle_buffer_bytes = 64 * 1024;
    void deadline_added(clock::time_point deadline);

    // Outcomes.
    void complete_transaction(pending_transaction& t, const Chunk& response, bool made_up = false);
    void message_response(outgoing_message& m, const Chunk& response, bool made_up);
    void check_settled(outgoing_message& m);
    void report_message(outgoing_message& m, message_report report);
    void finish_message(outgoing_message& m, int code, std::string comment, std::error_code error,
                        const Chunk* source = nullptr);
    bool stop_sending(std::string_view message_id);
    bool stop_receiving(std::string_view message_id);
    void release_turn(outgoing_message& m);
    void release_body(outgoing_message& m);
    bool has_unsent() const noexcept;
    bool awaits_answers() const noexcept;
    Chunk local_response(const std::string& transaction_id, int code, std::string comment) const;
    void end(std::error_code reason);

    std::unique_ptr<MSRPTransport> transport;
    session_options options;
    incoming_handler on_incoming;
    std::unique_ptr<incoming_channel> channel; ///< GreenMSRPSession only
    message_assembler assembler;
    std::string to_path_text, from_path_text;   ///< of every chunk sent
    std::string accepted_to_path, accepted_from_path; ///< as last found to belong here

    pending_requests<pending_transaction> transactions;
    /// Messages whose chunks were all accepted, waiting for their success
    /// REPORT, in the order they began to wait (kept apart from the
    /// transactions: one per message of a busy chat, so no key to build).
    std::deque<std::pair<clock::time_point, std::shared_ptr<outgoing_message>>> report_deadlines;
    asio::steady_timer deadline_timer;
    /// When `deadline_timer` goes off (max: the loop sleeps without one).
    clock::time_point deadline_timer_at = clock::time_point::max();

    struct queued_chunk {
        Chunk chunk;
        response_handler on_response;
        bool internal = false;
        std::size_t bytes = 0; ///< counted in `queued_bytes`
    };
    // The request being read (its segments share one transaction).
    struct request_in_progress {
        std::string transaction_id;
        std::string reply_to;     ///< the previous hop, as written
        int code = 0;             ///< 0: not decided yet (200 unless reassembly fails)
        bool want_ok = false;     ///< a 2xx answer is to be sent
        bool want_error = false;  ///< an error answer is to be sent
        bool answered = false;    ///< answered while binding
        bool keepalive = false;   ///< an empty SEND: answered, not delivered
    };
    request_in_progress current;
    std::optional<std::error_code> green_end; ///< what receive_chunk reports once the end came
    /// Messages in `channel` (Asio's channel does not say how full it is).
    std::size_t channel_items = 0;
    // Responses and REPORTs, serialized as they are made and written first.
    std::string reply_bytes;
    std::size_t reply_count = 0;
    serialized_chunk reply_wire;                 ///< reused to serialize REPORTs
    std::deque<queued_chunk> chunks;             ///< from send_chunk, in order
    std::deque<std::shared_ptr<outgoing_message>> sending; ///< taking turns, front next
    std::deque<std::shared_ptr<outgoing_message>> waiting; ///< not started: too many interleaved
    std::size_t interleaved = 0; ///< messages of several chunks in `sending`
    ident_map<std::shared_ptr<outgoing_message>> unfinished; ///< by Message-ID
    bool chunks_turn = true;                     ///< the chunk queue and the messages alternate
    std::size_t queued_bytes = 0;
    write_batch batch;

    wake_signal writer_wake;  ///< something to write
    wake_signal progress;     ///< a write finished, a reply went out, the session ended
    asio::steady_timer keepalive_timer;
    clock::time_point last_traffic;

    bool closing = false;   ///< shutdown began: nothing new is accepted
    bool ended = false;     ///< the connection is gone; every outcome was given
    bool detached = false;  ///< the session object is gone: no more handlers
    bool writing = false;   ///< a batch is on the socket
    std::error_code end_reason;
    int coroutines = 0;     ///< running loops (for tests and shutdown)
};

} // namespace msrp::detail
