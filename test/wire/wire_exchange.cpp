// Runs one MSRP exchange between a ConnectorDirect and an AcceptorDirect on
// 127.0.0.1:<port> and prints, one JSON line each, every chunk either side
// wrote: what check_wire.py expects Wireshark's dissector to decode.
//
// usage: wire-exchange <port>

#include <msrp/connect/connector.hpp>
#include <msrp/protocol/make_chunk.hpp>

#include <asio/co_spawn.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <asio/use_awaitable.hpp>

#include <cstdio>
#include <exception>
#include <iostream>
#include <string>

using namespace asio::experimental::awaitable_operators;

namespace {

// Prints the start line of every chunk written, as a JSON object.
class sent_chunk_printer final : public msrp::Logger {
public:
    void on_state(const msrp::connection_event&) override {}
    void on_data(msrp::traffic_direction direction, const msrp::connection_info&, std::string_view bytes,
                 bool starts_chunk) override {
        if (direction != msrp::traffic_direction::out || !starts_chunk)
            return;
        const auto line = bytes.substr(0, bytes.find("\r\n"));
        // "MSRP <tid> <method>" or "MSRP <tid> <code> [comment]"
        const auto tid_end = line.find(' ', 5);
        const auto tid = line.substr(5, tid_end - 5);
        const auto third = line.substr(tid_end + 1);
        const auto word = third.substr(0, third.find(' '));
        std::string range;
        if (const auto at = bytes.find("\r\nByte-Range: "); at != std::string_view::npos) {
            const auto from = at + 14;
            range = bytes.substr(from, bytes.find("\r\n", from) - from);
        }
        std::printf("{\"tid\": \"%.*s\", \"%s\": \"%.*s\", \"byte_range\": \"%s\"}\n", int(tid.size()), tid.data(),
                    (word[0] >= '0' && word[0] <= '9') ? "status" : "method", int(word.size()), word.data(),
                    range.c_str());
    }
};

struct completion {
    std::unique_ptr<msrp::MSRPTransport> transport;
    std::error_code ec;
};

asio::awaitable<void> complete_into(msrp::Connector& c, msrp::Path remote, completion& out) {
    out.transport = co_await c.complete(remote, asio::redirect_error(asio::use_awaitable, out.ec));
}

// Sends a chunk and waits for its response, so that no two messages share
// a TCP segment (the dissector decodes only the first one of a segment).
asio::awaitable<void> send_and_answer(msrp::MSRPTransport& from, msrp::MSRPTransport& to, msrp::Chunk chunk) {
    co_await from.write_chunk(chunk);
    const auto got = co_await to.read_chunk();
    if (got.transaction_id != chunk.transaction_id)
        throw std::runtime_error("wire-exchange: chunks out of order");
    if (got.method == "SEND") {
        const auto response = msrp::make_response(got, 200, to.local_uri());
        co_await to.write_chunk(response);
        const auto answer = co_await from.read_chunk();
        if (answer.code != 200)
            throw std::runtime_error("wire-exchange: no 200");
    }
}

asio::awaitable<void> exchange(asio::io_context& ctx, unsigned short port) {
    msrp::connect_options options;
    options.transport.logger = std::make_shared<sent_chunk_printer>();
    msrp::AcceptorDirect acceptor(ctx.get_executor(), options);
    msrp::ConnectorDirect connector(ctx.get_executor(), options);
    msrp::URI a_uri, c_uri;
    a_uri.port = port;
    const auto a_path = co_await acceptor.prepare(a_uri);
    const auto c_path = co_await connector.prepare(c_uri);
    completion a, c;
    co_await (complete_into(acceptor, c_path, a) && complete_into(connector, a_path, c));
    if (a.ec || c.ec)
        throw std::system_error(a.ec ? a.ec : c.ec, "wire-exchange: bind");
    auto& alice = *c.transport;
    auto& bob = *a.transport;

    msrp::make_chunk_params text;
    text.data = "Hello, Bob! Grüße.";
    // Chunks are named before co_await: GCC 12 mishandles temporaries there.
    const auto hello = alice.make_chunk(text);
    co_await send_and_answer(alice, bob, hello);

    // One message in three chunks: '+', '+', '$'.
    const std::string file(90000, 'f');
    const std::string message_id = "wirefile0001";
    for (int i = 0; i < 3; ++i) {
        msrp::make_chunk_params part;
        part.data = file.substr(i * 30000, 30000);
        part.start = 1 + i * 30000;
        part.length = file.size();
        part.message_id = message_id;
        part.content_type = "application/octet-stream";
        const auto chunk = alice.make_chunk(part);
        co_await send_and_answer(alice, bob, chunk);
    }

    // A success report for it, and a message the other way.
    msrp::make_chunk_params report;
    report.method = "REPORT";
    report.message_id = message_id;
    report.start = 1;
    report.end = file.size();
    report.length = file.size();
    auto report_chunk = bob.make_chunk(report);
    report_chunk.set_status(msrp::StatusHeader{0, 200, "OK"});
    co_await send_and_answer(bob, alice, report_chunk);

    msrp::make_chunk_params back;
    back.data = "Hi Alice";
    const auto hi = bob.make_chunk(back);
    co_await send_and_answer(bob, alice, hi);
    co_await alice.shutdown();
    co_await bob.shutdown();
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: wire-exchange <port>\n");
        return 2;
    }
    asio::io_context ctx{1};
    std::exception_ptr failure;
    const auto port = static_cast<unsigned short>(std::stoi(argv[1]));
    asio::co_spawn(ctx, exchange(ctx, port), [&](std::exception_ptr e) { failure = e; });
    ctx.run_for(std::chrono::seconds(20));
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "wire-exchange: %s\n", e.what());
        }
        return 1;
    }
    return 0;
}
