#pragma once
// The sans-IO session: every protocol decision of an MSRPSession, with no
// socket, no timer and no coroutine (no Asio: test/check_no_asio.sh checks).
// Time is passed in. Its driver (lib/session/session_state.cpp) reads
// chunks and hands them in (`on_chunk`), writes what `fill` batches and says
// how it went (`on_written`), performs the source reads `fill` asks for
// (`on_source_read`), and sleeps until `next_deadline` (`on_timer`). After
// each call it asks `want_write`, `want_read` and `ended`.
//
// The promises of session.hpp hold here: every chunk sent gets exactly one
// response or local verdict, every message exactly one final report, and
// nothing queued is dropped without one; at the end the send queue's
// account is back to zero. Handlers are called from inside these calls and
// may call back into the core.
//
// Internal header.

#include "outgoing_message.hpp"
#include "reply_queue.hpp"
#include "report_window.hpp"
#include "request_answers.hpp"
#include "send_queue.hpp"
#include "transaction_table.hpp"
#include "write_batch.hpp"

#include <msrp/detail/ident_map.hpp>
#include <msrp/protocol/chunk_serializer.hpp>
#include <msrp/protocol/incoming_chunk.hpp>
#include <msrp/protocol/message_assembler.hpp>
#include <msrp/protocol/path.hpp>
#include <msrp/protocol/uri.hpp>
#include <msrp/session/message_report.hpp>
#include <msrp/session/session_options.hpp>
#include <msrp/session/session_stats.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace msrp::detail {

class session_core {
public:
    using clock = std::chrono::steady_clock;
    using time_point = clock::time_point;

    /// Write buffers larger than this are freed when the writer idles.
    static constexpr std::size_t idle_buffer_bytes = 64 * 1024;

    /// `local_uri`: this side; `remote_path`: the peer's path (the To-Path of
    /// every chunk sent, its last URI the peer). `timed_out`: the error a
    /// local timeout reports (a success REPORT or keep-alive answer that
    /// never came); the driver's `asio::error::timed_out`, which the core
    /// cannot name.
    session_core(session_options options, URI local_uri, Path remote_path, std::error_code timed_out,
                 time_point now);

    const session_options& options() const noexcept { return options_; }
    const URI& local_uri() const noexcept { return answers_.local_uri(); }

    // ---- the application's side ----

    /// Queues a chunk given whole. `internal`: see pending_transaction.
    /// Errors: session_closed, bad_transaction_id, invalid_argument (its
    /// transaction id is pending), queue_full, the serializer's.
    std::error_code queue_chunk(Chunk chunk, response_handler on_response, bool internal = false);
    /// Queues a message (its fields filled in, `id` empty for a random one)
    /// and returns its Message-ID. Errors: session_closed, queue_full,
    /// bad_message_id, invalid_argument.
    std::string queue_message(std::shared_ptr<outgoing_message> m, std::error_code& ec);
    /// What a message counts against the queue (see `send_queue`).
    std::size_t message_cost(const outgoing_message& m) const noexcept;
    /// A message's body bytes per chunk: its own `chunk_size`, else the session's.
    std::size_t chunk_bytes_of(const outgoing_message& m) const noexcept;
    /// `queue_message`'s water marks: must a message costing `cost` wait,
    /// and may it go on once it waited.
    bool must_wait_to_queue(std::size_t cost) const noexcept { return queue_.must_wait(cost); }
    bool may_queue_after_wait(std::size_t cost) const noexcept { return closing_ || queue_.may_resume(cost); }
    bool abort_message(std::string_view message_id);
    bool stop_receiving(std::string_view message_id);

    /// The session object is gone: no more handlers but internal ones.
    void detach() noexcept { detached_ = true; }
    bool detached() const noexcept { return detached_; }
    /// Whether REPORTs read are handed on as incoming messages (someone takes them).
    void set_reports_taken(bool taken) noexcept { reports_taken_ = taken; }
    /// Called with every empty SEND received for this session (see
    /// `MSRPSession::set_empty_send_handler`); not once detached.
    void set_empty_send_handler(empty_send_handler h) { on_empty_send_ = std::move(h); }

    // ---- input ----

    /// A chunk read at `now`: a response settles its transaction; a REPORT
    /// settles or reports on a message sent; any other request is answered.
    /// Incoming messages (and REPORTs, when taken) are added to `ready`.
    void on_chunk(IncomingChunk& chunk, time_point now, std::vector<IncomingMessage>& ready);
    /// The reader is about to wait for input: replies held back are due.
    void on_read_wait() noexcept { replies_.flush(); }
    /// Whether the driver should read: false while replies fill their limit
    /// (`max_queued_replies`; a peer that sends and never reads cannot grow
    /// them) or once the session ended.
    bool want_read() const noexcept { return !ended_ && replies_.count() < options_.max_queued_replies; }

    // ---- output ----

    /// What `fill` needs before it can go on.
    struct fill_result {
        /// Null: the batch is complete (it may be empty: nothing to write).
        /// Else: read this message's next bytes into `buffer`, then call
        /// `on_source_read`, then `fill` again.
        outgoing_message* read_source = nullptr;
        std::span<char> buffer;
    };
    /// Adds what is due to the batch, up to `max_write_batch_bytes`:
    /// replies first, then queued chunks and messages' chunks in turn.
    fill_result fill(time_point now);
    void on_source_read(std::size_t n, std::error_code ec, time_point now);
    /// The batch `fill` completed; the driver writes `batch().pieces()`.
    write_batch& batch() noexcept { return batch_; }
    /// The batch was written (or not: `ec`) at `now`.
    void on_written(std::error_code ec, time_point now);
    /// Whether `fill` would add something now.
    bool want_write() const noexcept { return !ended_ && (replies_.due() || queue_.has_next(window_open())); }
    /// Whether the send window has room for another message chunk
    /// (`max_requests_in_flight`, `max_bytes_in_flight`).
    bool window_open() const noexcept {
        return transactions_.size() < options_.max_requests_in_flight &&
               transactions_.bytes_in_flight() < options_.max_bytes_in_flight;
    }
    /// Body bytes of the requests waiting for their response.
    std::size_t bytes_in_flight() const noexcept { return transactions_.bytes_in_flight(); }
    /// The writer has nothing to do: buffers a burst grew are freed.
    void on_writer_idle();

    // ---- time ----

    /// The earliest deadline: a response, a success REPORT, a keep-alive; max() for none.
    time_point next_deadline();
    /// Gives the local verdicts that are due at `now` and sends a keep-alive when one is due.
    void on_timer(time_point now);

    // ---- the end ----

    /// What shutdown waits for next.
    enum class shutdown_step {
        wait,            ///< queued chunks to write, or answers owed: wait for progress
        close_transport, ///< everything is settled: close the connection, then `end`
        done,            ///< the session already ended
    };
    /// Starts a shutdown: nothing new is accepted.
    void begin_shutdown() noexcept { closing_ = true; }
    /// What queued goes out first, then the answers still owed come, or their time runs out.
    shutdown_step next_shutdown_step() noexcept;
    /// Ends the session: every outcome is given, in order, once.
    void end(std::error_code reason);
    bool ended() const noexcept { return ended_; }
    bool closing() const noexcept { return closing_; }
    std::error_code end_reason() const noexcept { return end_reason_; }
    /// Whether a shutdown's wait for answers ran out: a request got a
    /// verdict made up locally after `begin_shutdown`.
    bool answers_made_up_while_closing() const noexcept { return made_up_while_closing_; }

    // ---- what is in it ----
    std::size_t queued_bytes() const noexcept { return queue_.bytes(); }
    std::size_t pending_transactions() const noexcept { return transactions_.size(); }
    std::size_t queued_replies() const noexcept { return replies_.count(); }
    std::size_t messages_in_progress() const noexcept { return assembler_.messages_in_progress(); }
    /// Messages sent or queued whose final report is still to come.
    std::size_t unfinished_messages() const noexcept { return unfinished_.size(); }
    message_assembler& assembler() noexcept { return assembler_; }
    /// Empty SENDs and keep-alives counted (see `session_stats`).
    const session_stats& stats() const noexcept { return stats_; }

private:
    bool has_unsent() const noexcept {
        return writing_ || reading_ || !batch_.empty() || !replies_.empty() || !queue_.empty() ||
               !report_window_.empty();
    }
    void add_queued_chunk(queued_chunk q, time_point now);
    /// Adds the next chunk of `m`, or asks for its source to be read; true
    /// when `m` has more to send after it.
    bool add_message_chunk(const std::shared_ptr<outgoing_message>& m, time_point now);
    /// `m` has more to send: back to its turns, or to wait for REPORTs to make room.
    void requeue_or_wait(std::shared_ptr<outgoing_message> m, time_point now);
    bool add_message_piece(const std::shared_ptr<outgoing_message>& m, std::string_view body, char flag,
                           ByteRange range, std::error_code failure, std::string why, time_point now);
    void track(std::string_view transaction_id, pending_transaction t, time_point now);
    Chunk local_response(std::string_view transaction_id, int code, std::string comment) const;

    void on_empty_send(const IncomingChunk& chunk);
    void handle_response(const Chunk& response, time_point now);
    void handle_report(const Chunk& report, time_point now);
    void complete_transaction(pending_transaction& t, const Chunk& response, bool made_up, time_point now);
    void message_response(outgoing_message& m, const Chunk& response, bool made_up, time_point now);
    void check_settled(outgoing_message& m, time_point now);
    void report_message(outgoing_message& m, const message_report& report);
    void finish_message(outgoing_message& m, int code, std::string comment, std::error_code error,
                        const Chunk* source = nullptr);
    void release_body(outgoing_message& m);
    void send_keepalive();

    session_options options_;
    Path remote_path_;
    std::string to_path_text_, from_path_text_; ///< of every chunk sent
    send_queue queue_;
    transaction_table transactions_;
    report_window report_window_;
    reply_queue replies_;
    message_assembler assembler_;
    request_answers answers_;
    write_batch batch_;
    ident_map<std::shared_ptr<outgoing_message>> unfinished_; ///< by Message-ID
    /// The message whose source is being read for the batch.
    std::shared_ptr<outgoing_message> reading_;
    time_point last_traffic_;
    std::string range_text_;    ///< reused for a SEND's Byte-Range value
    serialized_chunk checked_;  ///< reused to check chunks as they are queued

    enum class shutdown_phase { flushing, awaiting_answers };
    shutdown_phase shutdown_phase_ = shutdown_phase::flushing;
    bool closing_ = false;  ///< shutdown began: nothing new is accepted
    bool made_up_while_closing_ = false;
    bool ended_ = false;    ///< every outcome was given
    bool detached_ = false;
    bool writing_ = false;  ///< a batch is being written
    bool reports_taken_ = false;
    bool keepalive_pending_ = false; ///< a keep-alive waits for its answer
    std::error_code end_reason_;
    std::error_code timed_out_;
    session_stats stats_;
    empty_send_handler on_empty_send_;
};

} // namespace msrp::detail
