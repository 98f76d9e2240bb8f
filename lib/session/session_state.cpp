#include "session_state.hpp"
#include "../detail/coroutine_helpers.hpp"

#include <asio/co_spawn.hpp>
#include <asio/error.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

namespace msrp::detail {
std::shared_ptr<outgoing_message> make_outgoing_message(OutgoingMessage message, message_handler on_report) {
    std::shared_ptr<outgoing_message> m;
    if (message.source) {
        auto sourced = std::make_shared<sourced_message>();
        sourced->source = std::move(message.source);
        sourced->from_source = true;
        m = std::move(sourced);
    } else {
        m = std::make_shared<outgoing_message>();
        m->data = std::move(message.data);
        m->shared_data = std::move(message.shared_data);
    }
    m->content_type = std::move(message.content_type);
    m->size = message.size;
    m->chunk_size = message.chunk_size;
    m->failure_report_field = std::move(message.failure_report);
    m->success_report_field = std::move(message.success_report);
    m->headers = std::move(message.headers);
    m->id = std::move(message.message_id);
    m->on_report = std::move(on_report);
    return m;
}

session_state::session_state(std::unique_ptr<MSRPTransport> t, session_options o)
    : transport(std::move(t)),
      core(std::move(o), transport->local_uri(), transport->full_remote_path(), asio::error::timed_out, clock::now()),
      deadline_timer(transport->get_executor()),
      writer_wake(transport->get_executor()),
      progress(transport->get_executor()) {}

void session_state::start() {
    const auto executor = transport->get_executor();
    core.set_reports_taken(channel || on_incoming);
    // Replies held back go out when the reader runs out of input.
    transport->set_read_wait_hook([this] {
        core.on_read_wait();
        after_core();
    });
    asio::co_spawn(executor, read_loop(), rethrow_if_failed);
    asio::co_spawn(executor, write_loop(), rethrow_if_failed);
    asio::co_spawn(executor, deadline_loop(), rethrow_if_failed);
}

void session_state::after_core() {
    if (core.ended() && !transport_closed) {
        transport_closed = true;
        transport->close();
        deadline_timer.cancel();
        writer_wake.notify();
    }
    if (core.want_write())
        writer_wake.notify();
    // The timer may stay set for an earlier deadline, even one whose answer
    // came: the loop then wakes, finds nothing due and sets it for the first
    // deadline left. So it is moved only for a deadline earlier than the one
    // it is set for, not once per request (a wake-up and a timer system
    // call each).
    if (!core.ended()) {
        const auto next = core.next_deadline();
        if (next < deadline_timer_at) {
            deadline_timer_at = next;
            deadline_timer.cancel();
        }
    }
    progress.notify();
}

void session_state::end(std::error_code reason) {
    const auto keep = shared_from_this(); // a handler may drop the session
    core.end(reason);
    after_core();
}

// ---- the reader ------------------------------------------------------------

asio::awaitable<bool> session_state::deliver(IncomingMessage message, std::error_code ec) {
    if (channel) {
        core.on_read_wait(); // the send may wait for room in the queue
        after_core();
        auto [send_ec] = co_await channel->async_send(ec, std::move(message), as_tuple_awaitable);
        if (!send_ec && !ec)
            ++channel_items;
        co_return !send_ec;
    }
    if (!core.detached() && on_incoming)
        on_incoming(std::move(message), ec);
    co_return true;
}

asio::awaitable<void> session_state::read_loop() {
    const auto self = shared_from_this();
    ++coroutines;
    IncomingChunk chunk;
    std::vector<IncomingMessage> ready;
    for (;;) {
        // Replies waiting to be written stop the reading, so a peer that
        // sends and never reads cannot grow them.
        while (!core.ended() && !core.want_read()) {
            core.on_read_wait(); // held ones too: the writer is what frees room
            after_core();
            co_await progress.wait();
        }
        if (core.ended())
            break;
        std::error_code ec;
        co_await transport->read_chunk_into(chunk, core.options().read_segment_bytes, ec);
        if (ec) {
            // Closed here, not by the peer: say so, and keep
            // operation_aborted for cancelled waits (receive_chunk).
            end(ec == asio::error::operation_aborted ? make_error_code(errc::session_closed) : ec);
            break;
        }
        ready.clear();
        core.on_chunk(chunk, clock::now(), ready);
        after_core();
        bool delivered = true;
        if (channel) {
            for (auto& m : ready)
                if (!(delivered = co_await deliver(std::move(m), {})))
                    break;
        } else if (on_incoming && !core.detached()) {
            for (auto& m : ready)
                on_incoming(std::move(m), {});
        }
        if (!delivered)
            break; // the queue was closed: the session object is gone
    }
    end(core.end_reason());
    // What was being received will not complete; then the end itself.
    ready.clear();
    core.assembler().finish(ready);
    bool delivered = true;
    for (auto& m : ready)
        if (!(delivered = co_await deliver(std::move(m), {})))
            break;
    if (delivered) {
        IncomingMessage none; // named: GCC 12 mishandles temporaries in co_await
        co_await deliver(std::move(none), core.end_reason());
    }
    --coroutines;
}

// ---- the writer ------------------------------------------------------------

asio::awaitable<void> session_state::write_loop() {
    const auto self = shared_from_this();
    ++coroutines;
    auto& batch = core.batch();
    while (!core.ended()) {
        auto step = core.fill(clock::now());
        while (step.read_source) {
            // A source is read here, in the driver: it is a coroutine. The
            // message stays alive through the core's hold on it.
            auto& m = static_cast<sourced_message&>(*step.read_source);
            std::error_code read_ec;
            const auto n = co_await m.source(step.buffer, read_ec);
            core.on_source_read(n, read_ec, clock::now());
            after_core();
            step = core.fill(clock::now());
        }
        after_core();
        if (core.ended())
            break;
        if (batch.empty()) {
            core.on_writer_idle();
            co_await writer_wake.wait();
            continue;
        }
        batch.make_views();
        std::error_code ec;
        co_await transport->write_chunks(batch.pieces(), batch.chunk_ends(), ec);
        core.on_written(ec, clock::now());
        after_core();
        if (ec)
            break;
    }
    // A batch filled and never written: its chunks' verdicts.
    if (!batch.empty())
        core.on_written(make_error_code(errc::session_closed), clock::now());
    --coroutines;
}

// ---- timers ----------------------------------------------------------------

asio::awaitable<void> session_state::deadline_loop() {
    const auto self = shared_from_this();
    ++coroutines;
    while (!core.ended()) {
        const auto next = core.next_deadline();
        deadline_timer.expires_at(next);
        deadline_timer_at = next;
        co_await deadline_timer.async_wait(as_tuple_awaitable);
        if (core.ended())
            break;
        core.on_timer(clock::now());
        after_core();
    }
    --coroutines;
}

} // namespace msrp::detail
