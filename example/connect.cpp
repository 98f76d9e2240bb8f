// README "Connecting", compiled and run: `call` is the README's snippet
// (check_readme.py keeps the two the same); main binds it to an acceptor
// in the same process on 127.0.0.1, which answers the chunk with a 200.

#include <msrp/connect/connector.hpp>
#include <msrp/protocol/make_chunk.hpp>

#include <asio/co_spawn.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <exception>
#include <optional>

// README: Connecting
asio::awaitable<void> call(asio::io_context& ctx, msrp::Path remote_path) {
    auto connector = msrp::get_connector(ctx.get_executor(), std::nullopt);
    msrp::Path local_path = co_await connector->prepare();  // SDP a=path
    // ... offer/answer: send local_path, receive remote_path ...
    auto transport = co_await connector->complete(remote_path);
    msrp::make_chunk_params hello;
    hello.data = "Hello";
    const msrp::Chunk chunk = transport->make_chunk(hello);
    co_await transport->write_chunk(chunk);
    msrp::IncomingChunk response = co_await transport->read_chunk();
}
// README end

namespace {

// The other end: binds whoever names it, answers one chunk with a 200.
asio::awaitable<void> answer(msrp::Connector& acceptor) {
    const msrp::Path any_peer;
    auto transport = co_await acceptor.complete(any_peer);
    const msrp::IncomingChunk request = co_await transport->read_chunk();
    std::printf("acceptor got \"%s\"\n", request.data.c_str());
    const msrp::Chunk ok = msrp::make_response(request, 200, transport->local_uri());
    co_await transport->write_chunk(ok);
}

asio::awaitable<void> both(asio::io_context& ctx) {
    using namespace asio::experimental::awaitable_operators;
    msrp::connect_options any_peer;
    any_peer.accept_any_peer = true; // answer() has no SDP to learn the peer's path from
    auto acceptor = msrp::get_acceptor(ctx.get_executor(), std::nullopt, nullptr, any_peer);
    msrp::URI listen;
    listen.host = "127.0.0.1";
    const msrp::Path acceptor_path = co_await acceptor->prepare(listen);
    co_await (answer(*acceptor) && call(ctx, acceptor_path));
}

} // namespace

int main() {
    asio::io_context ctx{1};
    bool done = false;
    std::exception_ptr failure;
    asio::co_spawn(ctx, both(ctx), [&](std::exception_ptr e) {
        done = true;
        failure = e;
    });
    ctx.run_for(std::chrono::seconds(20));
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "failed: %s\n", e.what());
        }
        return 1;
    }
    if (!done) {
        std::fprintf(stderr, "did not finish in 20 s\n");
        return 1;
    }
    std::puts("bound, sent, answered");
    return 0;
}
