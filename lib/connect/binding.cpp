#include "binding.hpp"

#include <msrp/protocol/make_chunk.hpp>

#include "../detail/coroutine_helpers.hpp"

namespace msrp::detail {

// Requests the peer may send before it answers the binding SEND.
constexpr std::size_t max_early_requests = 64;

asio::awaitable<void> bind_active(MSRPTransport& transport, std::error_code& ec) {
    // RFC 6135 §4.2 / RFC 4975 §5.4: the connecting side sends a SEND at
    // once; with nothing to say it is empty (no body, Byte-Range 1-0/0).
    const Chunk bind = transport.make_chunk();
    co_await transport.write_chunk(bind, detail::redirect(ec)); // a copy: its id is matched below
    if (ec)
        co_return;
    // The peer may send requests of its own before it answers: they belong
    // to the session, which gets them after the binding, in order.
    std::vector<IncomingChunk> early;
    for (;;) {
        auto reply = co_await transport.read_chunk(std::nullopt, detail::redirect(ec));
        if (ec)
            co_return;
        if (reply.is_response() && reply.transaction_id == bind.transaction_id) {
            if (reply.code / 100 != 2) {
                ec = errc::bind_failed;
                transport.close();
                co_return;
            }
            while (!early.empty()) {
                transport.unread(std::move(early.back()));
                early.pop_back();
            }
            co_return;
        }
        if (reply.is_request()) {
            // Bounded: a peer that only talks and never answers is refused.
            if (early.size() >= max_early_requests) {
                ec = errc::bind_failed;
                transport.close();
                co_return;
            }
            early.push_back(std::move(reply));
        }
    }
}

asio::awaitable<void> answer_binding(MSRPTransport& transport, IncomingChunk first, std::error_code& ec) {
    std::error_code mismatch;
    if (first.method != "SEND")
        mismatch = errc::session_mismatch;
    else
        mismatch = transport.check_incoming_SEND_chunk(first);
    if (first.is_request()) {
        const auto answer = make_response(first, mismatch ? 481 : 200, transport.local_uri());
        std::error_code write_ec;
        co_await transport.write_chunk(answer, detail::redirect(write_ec));
        if (!mismatch && write_ec) {
            ec = write_ec;
            co_return;
        }
    }
    if (mismatch) {
        ec = mismatch;
        transport.close();
        co_return;
    }
    // A binding SEND with content is the session's first message.
    if (first.has_body || first.contflag != contflag::complete) {
        first.answered = true;
        transport.unread(std::move(first));
    }
}

asio::awaitable<void> bind_passive(MSRPTransport& transport, std::error_code& ec) {
    auto first = co_await transport.read_chunk(std::nullopt, detail::redirect(ec));
    if (ec)
        co_return;
    // Told no remote path, the acceptor takes the path of whoever binds
    // (see AcceptorDirect::complete); the To-Path must still name us.
    if (transport.full_remote_path().empty() && first.method == "SEND") {
        if (auto from = first.from_path(); from && !from->empty())
            transport.bind_to(transport.local_uri(), transport.full_local_path(), std::move(*from));
    }
    co_await answer_binding(transport, std::move(first), ec);
}

asio::awaitable<std::unique_ptr<MSRPTransport>> bind_stream(std::unique_ptr<byte_stream> stream, URI local,
                                                            Path remote, const transport_options& options,
                                                            bool active, std::error_code& ec) {
    const Path local_path{local};
    auto transport = std::make_unique<MSRPTransport>(std::move(stream), std::move(local), local_path,
                                                     std::move(remote), options);
    if (active)
        co_await bind_active(*transport, ec);
    else
        co_await bind_passive(*transport, ec);
    if (ec)
        co_return nullptr;
    transport->mark_bound();
    co_return transport;
}

} // namespace msrp::detail
