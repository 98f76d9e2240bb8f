#include <msrp/connect/server.hpp>
#include <msrp/protocol/make_chunk.hpp>

#include "../transport/connection.hpp"
#include "binding.hpp"
#include "../detail/deadline.hpp"
#include "stream_setup.hpp"
#include "../detail/coroutine_helpers.hpp"

#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include <list>

namespace msrp {

using detail::as_tuple_awaitable;
using detail::rethrow_if_failed;

struct MSRPServer::state : std::enable_shared_from_this<state> {
    struct listener {
        explicit listener(asio::any_io_executor executor) : acceptor(std::move(executor)) {}
        asio::ip::tcp::acceptor acceptor;
        std::string host; ///< as the URIs it serves name it
        std::uint16_t port = 0;
        bool tls = false;
    };
    struct expected_uri {
        URI uri;
        std::shared_ptr<Logger> logger;
        std::shared_ptr<listener> via;
    };
    // A connection whose binding SEND named an expected URI, waiting for
    // the session's `complete`.
    struct pending_connection {
        explicit pending_connection(asio::any_io_executor executor) : expiry(std::move(executor)) {}
        std::unique_ptr<MSRPTransport> transport;
        IncomingChunk first;
        URI local;
        asio::steady_timer expiry;
        bool claimed = false;
    };
    // A `complete` waiting for its connection.
    struct waiter {
        explicit waiter(asio::any_io_executor executor) : wake(std::move(executor)) {}
        Path remote;
        asio::steady_timer wake;
        std::unique_ptr<MSRPTransport> result;
        std::error_code ec;
        bool done = false;
    };

    asio::any_io_executor executor;
    connect_options options;
    const std::size_t* max_pending = nullptr;
    std::vector<std::shared_ptr<listener>> listeners;
    std::vector<expected_uri> expected;
    std::list<std::shared_ptr<pending_connection>> pending;
    // Shared with the coroutine serving a waiter: a `complete` that gives
    // up (timeout, cancellation) while its connection is being answered
    // leaves the waiter alive for that coroutine.
    std::list<std::shared_ptr<waiter>> waiters;
    bool closed = false;

    const expected_uri* find_expected(const Chunk& first) const {
        const auto to = first.to_path();
        if (!to || to->size() != 1)
            return nullptr;
        for (const auto& e : expected)
            if (e.uri == to->front())
                return &e;
        return nullptr;
    }

    // An empty path (allowed by accept_any_peer) takes any peer.
    static bool from_matches(const Chunk& first, const Path& remote) {
        const auto from = first.from_path();
        return from && !from->empty() && (remote.empty() || from->back() == remote.back());
    }

    // The remote path a binding takes: the expected one, or for a waiter
    // that takes any peer, the peer's From-Path.
    static Path remote_of(const Chunk& first, const Path& expected) {
        if (!expected.empty())
            return expected;
        auto from = first.from_path();
        return from ? std::move(*from) : Path{};
    }

    // Makes the transport the session's and answers its binding SEND.
    static asio::awaitable<void> accept_binding(MSRPTransport& transport, IncomingChunk first, const URI& local,
                                                const Path& remote, std::error_code& ec) {
        transport.bind_to(local, Path{local}, remote);
        co_await detail::answer_binding(transport, std::move(first), ec);
    }

    static asio::awaitable<void> refuse(MSRPTransport& transport, const IncomingChunk& first) {
        // The connection belongs to no session: answer as the URI it named.
        const auto to = first.to_path();
        if (first.is_request() && to && !to->empty()) {
            const auto answer = make_response(first, 481, to->front());
            std::error_code ignored;
            co_await transport.write_chunk(answer, detail::redirect(ignored));
        }
        transport.close();
    }

    asio::awaitable<void> accept_loop(std::shared_ptr<listener> l) {
        auto self = shared_from_this();
        for (;;) {
            auto [ec, socket] = co_await l->acceptor.async_accept(as_tuple_awaitable);
            if (closed || !l->acceptor.is_open())
                co_return;
            if (ec)
                continue; // e.g. the peer reset before accept; keep serving
            asio::co_spawn(executor, handle_connection(l, std::move(socket)), rethrow_if_failed);
        }
    }

    // Reads the binding SEND of one connection, within the bind timeout.
    asio::awaitable<std::unique_ptr<MSRPTransport>> open_and_read_first(std::shared_ptr<listener> l,
                                                                        asio::ip::tcp::socket socket,
                                                                        IncomingChunk& first, std::error_code& ec) {
        auto stream = co_await detail::accept_stream(std::move(socket), l->tls, options, ec);
        if (ec)
            co_return nullptr;
        // The server builds the connection itself: it alone watches it for
        // sessions of its own (RFC 4975 §5.4).
        auto conn = std::make_shared<detail::connection>(std::move(stream), options.transport);
        auto transport = std::make_unique<MSRPTransport>(conn, URI{}, Path{}, Path{});
        first = co_await transport->read_chunk(std::nullopt, detail::redirect(ec));
        if (ec)
            co_return nullptr;
        watch_for_shared_sessions(*conn);
        co_return transport;
    }

    asio::awaitable<void> handle_connection(std::shared_ptr<listener> l, asio::ip::tcp::socket socket) {
        auto self = shared_from_this();
        IncomingChunk first;
        std::error_code op_ec, ec;
        auto op = open_and_read_first(l, std::move(socket), first, op_ec);
        auto transport = co_await detail::with_deadline(std::move(op), op_ec, options.bind_timeout,
                                                        make_error_code(errc::bind_timeout), ec);
        if (ec || closed) {
            if (transport)
                transport->close();
            co_return;
        }
        const auto* session = find_expected(first);
        if (!session || first.method != "SEND" || pending.size() >= *max_pending) {
            co_await refuse(*transport, first);
            co_return;
        }
        if (session->logger)
            transport->set_logger(session->logger);
        URI local = session->uri; // named: GCC 12 mishandles temporaries in co_await
        co_await offer(std::move(transport), std::move(first), std::move(local));
    }

    // A binding SEND on a connection that already carries a session (RFC
    // 4975 §5.4): when it names an expected URI, it starts a session of its
    // own over that connection.
    bool offer_shared(const std::shared_ptr<detail::connection>& conn, IncomingChunk& first) {
        if (closed)
            return false;
        const auto* session = find_expected(first);
        if (!session || first.method != "SEND" || pending.size() >= *max_pending)
            return false;
        auto transport = std::make_unique<MSRPTransport>(conn, session->uri, Path{session->uri}, Path{});
        asio::co_spawn(executor, offer(std::move(transport), std::move(first), session->uri), rethrow_if_failed);
        return true;
    }

    void watch_for_shared_sessions(detail::connection& conn) {
        conn.on_unknown_session(
            [weak = weak_from_this()](const std::shared_ptr<detail::connection>& conn, IncomingChunk& first) {
                const auto self = weak.lock();
                return self && self->offer_shared(conn, first);
            });
    }

    // Hands a transport whose binding SEND named `local` to the session
    // waiting for it, or keeps it until one comes or the bind time is over.
    asio::awaitable<void> offer(std::unique_ptr<MSRPTransport> transport, IncomingChunk first, URI local) {
        auto self = shared_from_this();
        for (auto it = waiters.begin(); it != waiters.end(); ++it) {
            const auto keep = *it;
            waiter& w = *keep;
            if (!from_matches(first, w.remote))
                continue;
            waiters.erase(it);
            const Path remote = remote_of(first, w.remote);
            co_await accept_binding(*transport, std::move(first), local, remote, w.ec);
            if (!w.ec) {
                transport->mark_bound();
                w.result = std::move(transport);
            }
            w.done = true;
            w.wake.cancel();
            co_return;
        }
        auto entry = std::make_shared<pending_connection>(executor);
        entry->transport = std::move(transport);
        entry->first = std::move(first);
        entry->local = std::move(local);
        entry->expiry.expires_after(options.bind_timeout);
        pending.push_back(entry);
        co_await entry->expiry.async_wait(as_tuple_awaitable);
        if (entry->claimed)
            co_return;
        pending.remove(entry);
        co_await refuse(*entry->transport, entry->first);
    }
};

MSRPServer::MSRPServer(asio::any_io_executor executor, connect_options options)
    : executor_(executor), state_(std::make_shared<state>()) {
    state_->executor = std::move(executor);
    state_->options = std::move(options);
    state_->max_pending = &max_pending_connections;
}

MSRPServer::~MSRPServer() { close(); }

std::size_t MSRPServer::pending_connections() const noexcept { return state_->pending.size(); }

asio::awaitable<Path> MSRPServer::do_prepare(URI local_uri, std::shared_ptr<Logger> logger, std::error_code& ec) {
    ec = {};
    auto& st = *state_;
    if (st.closed) {
        ec = asio::error::operation_aborted;
        co_return Path{};
    }
    detail::complete_local_uri(local_uri, "127.0.0.1");
    std::shared_ptr<state::listener> l;
    if (local_uri.port != 0)
        for (const auto& existing : st.listeners)
            if (existing->port == local_uri.port && existing->host == local_uri.host)
                l = existing;
    if (l && l->tls != local_uri.use_tls) {
        ec = errc::invalid_argument; // one port speaks either TLS or TCP
        co_return Path{};
    }
    if (local_uri.use_tls && (ec = detail::check_tls_credentials(st.options.tls, true)))
        co_return Path{};
    if (!l) {
        l = std::make_shared<state::listener>(st.executor);
        co_await detail::listen_on(l->acceptor, local_uri, ec);
        if (ec)
            co_return Path{};
        l->host = local_uri.host;
        l->port = l->acceptor.local_endpoint().port();
        l->tls = local_uri.use_tls;
        st.listeners.push_back(l);
        asio::co_spawn(st.executor, st.accept_loop(l), rethrow_if_failed);
    }
    local_uri.port = l->port;
    st.expected.push_back(state::expected_uri{local_uri, std::move(logger), l});
    co_return Path{local_uri};
}

asio::awaitable<std::unique_ptr<MSRPTransport>> MSRPServer::do_complete(Path full_remote_path, std::error_code& ec) {
    ec = {};
    auto st = state_;
    if (st->closed) {
        ec = asio::error::operation_aborted;
        co_return nullptr;
    }
    if (full_remote_path.empty() && !st->options.accept_any_peer) {
        ec = errc::no_remote_path;
        co_return nullptr;
    }
    // A connection that already arrived for this session?
    for (auto it = st->pending.begin(); it != st->pending.end(); ++it) {
        auto entry = *it;
        if (!state::from_matches(entry->first, full_remote_path))
            continue;
        st->pending.erase(it);
        entry->claimed = true;
        entry->expiry.cancel();
        auto transport = std::move(entry->transport);
        const Path remote = state::remote_of(entry->first, full_remote_path);
        co_await state::accept_binding(*transport, std::move(entry->first), entry->local, remote, ec);
        if (ec)
            co_return nullptr;
        transport->mark_bound();
        co_return transport;
    }
    const auto shared_waiter = std::make_shared<state::waiter>(st->executor);
    auto& w = *shared_waiter;
    w.remote = full_remote_path;
    w.wake.expires_after(st->options.bind_timeout);
    st->waiters.push_back(shared_waiter);
    co_await w.wake.async_wait(as_tuple_awaitable);
    if (!w.done) {
        st->waiters.remove(shared_waiter);
        // Timer expiry or the caller's cancellation.
        ec = w.wake.expiry() <= asio::steady_timer::clock_type::now() ? make_error_code(errc::bind_timeout)
                                                                         : std::error_code(asio::error::operation_aborted);
        co_return nullptr;
    }
    ec = w.ec;
    co_return std::move(w.result);
}

void MSRPServer::cleanup(const URI& local_uri) noexcept {
    auto& st = *state_;
    std::shared_ptr<state::listener> via;
    for (auto it = st.expected.begin(); it != st.expected.end(); ++it) {
        if (it->uri == local_uri) {
            via = it->via;
            st.expected.erase(it);
            break;
        }
    }
    if (!via)
        return;
    for (const auto& e : st.expected)
        if (e.via == via)
            return;
    std::error_code ignored;
    via->acceptor.close(ignored);
    std::erase(st.listeners, via);
}

void MSRPServer::close() noexcept {
    auto& st = *state_;
    if (st.closed)
        return;
    st.closed = true;
    std::error_code ignored;
    for (auto& l : st.listeners)
        l->acceptor.close(ignored);
    st.listeners.clear();
    st.expected.clear();
    for (auto& p : st.pending)
        p->expiry.cancel();
    for (auto& w : st.waiters) {
        w->ec = asio::error::operation_aborted;
        w->done = true;
        w->wake.cancel();
    }
    st.waiters.clear();
}

} // namespace msrp
