#include <msrp/session/session.hpp>

#include "session_state.hpp"
#include "../detail/coroutine_helpers.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/channel_error.hpp>
#include <asio/use_awaitable.hpp>

namespace msrp {

using detail::as_tuple_awaitable;
using detail::throw_error;

namespace {

std::string describe_status(int status, const std::string& comment) {
    return "the peer answered " + std::to_string(status) + (comment.empty() ? "" : " " + comment);
}

} // namespace

MSRPTransactionError::MSRPTransactionError(int status, std::string comment)
    : std::system_error(make_error_code(errc::transaction_failed), describe_status(status, comment)),
      status_(status),
      comment_(std::move(comment)) {}

MSRPSession::MSRPSession(std::unique_ptr<MSRPTransport> transport, session_options options,
                         incoming_handler on_incoming)
    : state_(std::make_shared<detail::session_state>(std::move(transport), std::move(options))) {
    state_->on_incoming = std::move(on_incoming);
    state_->start();
}

MSRPSession::MSRPSession(green_tag, std::unique_ptr<MSRPTransport> transport, session_options options)
    : state_(std::make_shared<detail::session_state>(std::move(transport), std::move(options))) {}

MSRPSession::~MSRPSession() {
    state_->core.detach();
    state_->on_incoming = nullptr;
    if (state_->channel)
        state_->channel->close();
    state_->end(make_error_code(errc::session_closed));
}

MSRPTransport& MSRPSession::transport() noexcept { return *state_->transport; }
const session_options& MSRPSession::options() const noexcept { return state_->core.options(); }

Chunk MSRPSession::make_chunk(const make_chunk_params& params) const { return state_->transport->make_chunk(params); }

void MSRPSession::send_chunk(Chunk chunk, response_handler on_response, std::error_code& ec) {
    ec = state_->core.queue_chunk(std::move(chunk), std::move(on_response));
    state_->after_core();
}

void MSRPSession::send_chunk(Chunk chunk, response_handler on_response) {
    std::error_code ec;
    send_chunk(std::move(chunk), std::move(on_response), ec);
    if (ec)
        throw_error(ec, "MSRPSession::send_chunk");
}

std::string MSRPSession::send_message(OutgoingMessage message, message_handler on_report, std::error_code& ec) {
    auto id = state_->core.queue_message(detail::make_outgoing_message(std::move(message), std::move(on_report)), ec);
    state_->after_core();
    return id;
}

std::string MSRPSession::send_message(OutgoingMessage message, message_handler on_report) {
    std::error_code ec;
    auto id = send_message(std::move(message), std::move(on_report), ec);
    if (ec)
        throw_error(ec, "MSRPSession::send_message");
    return id;
}

namespace detail {

asio::any_io_executor executor_of(const session_state& st) { return st.transport->get_executor(); }

void raise_transaction_error::operator()(std::error_code ec, std::optional<Chunk>& response, const char* what) const {
    if (ec == errc::transaction_failed && response)
        throw MSRPTransactionError(response->code, response->comment);
    throw_error(ec, what);
}

asio::awaitable<std::optional<Chunk>> deliver_chunk(std::shared_ptr<session_state> st, Chunk chunk,
                                                    std::error_code& ec) {
    ec = {};
    if (failure_report_of(chunk) == failure_report::no) {
        ec = st->core.queue_chunk(std::move(chunk), {});
        st->after_core();
        co_return std::nullopt;
    }
    // Shared with the handler, which may run after this coroutine gave up.
    struct waiter {
        explicit waiter(asio::any_io_executor executor) : wake(std::move(executor)) {}
        detail::wake_signal wake;
        std::optional<Chunk> response;
    };
    const auto w = std::make_shared<waiter>(st->transport->get_executor());
    ec = st->core.queue_chunk(std::move(chunk), [w](const Chunk& response) {
        w->response = response;
        w->wake.notify();
    }, true);
    st->after_core();
    if (ec)
        co_return std::nullopt;
    while (!w->response) {
        if (!co_await w->wake.wait()) {
            ec = asio::error::operation_aborted;
            co_return std::nullopt;
        }
    }
    if (w->response->code / 100 != 2)
        ec = errc::transaction_failed;
    co_return std::move(w->response);
}

asio::awaitable<std::string> queue_message(std::shared_ptr<session_state> st, OutgoingMessage message,
                                           message_handler on_report, std::error_code& ec) {
    ec = {};
    auto m = detail::make_outgoing_message(std::move(message), std::move(on_report));
    const std::size_t cost = st->core.message_cost(*m);
    if (st->core.must_wait_to_queue(cost)) {
        while (!st->core.may_queue_after_wait(cost)) {
            if (!co_await st->progress.wait()) {
                ec = asio::error::operation_aborted;
                co_return std::string{};
            }
        }
    }
    auto id = st->core.queue_message(std::move(m), ec);
    st->after_core();
    co_return id;
}

asio::awaitable<void> shutdown_session(std::shared_ptr<session_state> st, std::error_code& ec) {
    ec = {};
    // Ended before: nothing is left to send or wait for, and how it ended
    // was reported then (to the incoming handler, `receive_chunk`).
    if (st->core.ended())
        co_return;
    st->core.begin_shutdown();
    st->after_core();
    for (;;) {
        switch (st->core.next_shutdown_step()) {
        case session_core::shutdown_step::done:
            // Ended meanwhile, with sends or answers outstanding: the
            // connection failed, or `close`.
            ec = st->core.end_reason();
            co_return;
        case session_core::shutdown_step::wait:
            if (!co_await st->progress.wait()) {
                ec = asio::error::operation_aborted;
                co_return;
            }
            continue;
        case session_core::shutdown_step::close_transport: {
            // All was sent and answered (or given up on): how the closing
            // handshake goes loses nothing, and a peer that closed first
            // makes it fail, so its error is not the session's.
            std::error_code closing_ec;
            auto close_transport = st->transport->shutdown(redirect(closing_ec));
            co_await std::move(close_transport);
            st->end(make_error_code(errc::session_closed));
            if (st->core.answers_made_up_while_closing())
                ec = errc::no_response;
            co_return;
        }
        }
    }
}

asio::awaitable<IncomingMessage> receive_message(std::shared_ptr<session_state> st, std::error_code& ec) {
    ec = {};
    if (st->green_end) {
        ec = *st->green_end;
        co_return IncomingMessage{};
    }
    auto [received_ec, message] = co_await st->channel->async_receive(as_tuple_awaitable);
    if (received_ec == asio::experimental::error::channel_cancelled ||
        received_ec == asio::error::operation_aborted) {
        received_ec = asio::error::operation_aborted;
        ec = received_ec; // this wait was cancelled; the session goes on
        co_return IncomingMessage{};
    }
    if (received_ec) {
        // The end of the session, with its reason; the same every time after.
        ec = received_ec;
        st->green_end = ec;
        co_return IncomingMessage{};
    }
    if (st->channel_items > 0)
        --st->channel_items;
    co_return std::move(message);
}

} // namespace detail

bool MSRPSession::abort_message(std::string_view message_id) {
    const bool found = state_->core.abort_message(message_id);
    state_->after_core();
    return found;
}

bool MSRPSession::stop_message(std::string_view message_id) {
    const bool found = state_->core.stop_receiving(message_id);
    state_->after_core();
    return found;
}

void MSRPSession::close() noexcept { state_->end(make_error_code(errc::session_closed)); }

bool MSRPSession::is_open() const noexcept { return !state_->core.ended(); }

std::size_t MSRPSession::queued_bytes() const noexcept { return state_->core.queued_bytes(); }

std::size_t MSRPSession::pending_transactions() const noexcept { return state_->core.pending_transactions(); }

std::size_t MSRPSession::queued_replies() const noexcept { return state_->core.queued_replies(); }

std::size_t MSRPSession::messages_in_progress() const noexcept { return state_->core.messages_in_progress(); }

session_stats MSRPSession::stats() const noexcept { return state_->core.stats(); }

void MSRPSession::set_empty_send_handler(empty_send_handler on_empty_send) {
    state_->core.set_empty_send_handler(std::move(on_empty_send));
}

asio::any_io_executor MSRPSession::executor() const { return detail::executor_of(*state_); }

// ---- GreenMSRPSession -------------------------------------------------------

GreenMSRPSession::GreenMSRPSession(std::unique_ptr<MSRPTransport> transport, session_options options)
    : MSRPSession(green_tag{}, std::move(transport), std::move(options)) {
    state_->channel = std::make_unique<detail::incoming_channel>(state_->transport->get_executor(),
                                                                 state_->core.options().max_incoming_queue);
    state_->start();
}

GreenMSRPSession::~GreenMSRPSession() = default;

std::size_t GreenMSRPSession::incoming_queue_size() const noexcept {
    return state_->channel_items;
}

} // namespace msrp
