// An echo server: many MSRP sessions on one listening port (MSRPServer),
// one coroutine per session, each message sent back to its sender.
//
//   server [HOST:PORT]        (default 127.0.0.1:2855)
//       For each session prints this side's a=path, then reads the peer's
//       path from standard input (SIP's offer/answer would carry both), and
//       waits for that peer to connect: e.g. give the printed path to
//       `chat_client`, then paste the a=path it prints. Ends at the end of
//       input, after the sessions it serves.
//   server --self-test N
//       Starts N clients in this process over 127.0.0.1, each sends a
//       message and checks the echo; exits 0 when all of them did.

#include <msrp/connect/connector.hpp>
#include <msrp/connect/server.hpp>
#include <msrp/protocol/path.hpp>
#include <msrp/session/session.hpp>

#include "stdin_lines.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/redirect_error.hpp>
#include <asio/this_coro.hpp>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace {

using namespace std::chrono_literals;

/// `bind_timeout`: how long a session waits for its peer to connect and bind.
msrp::connect_options connect_options_with(std::chrono::seconds bind_timeout) {
    msrp::connect_options options;
    options.bind_timeout = bind_timeout;
    return options;
}

msrp::session_options echo_session_options() {
    msrp::session_options options;
    options.response_timeout = 10s;
    // Messages up to this are delivered whole (never in pieces), so each
    // can be echoed as one; larger ones are refused with 413.
    options.receive.max_message_bytes = 64 * 1024;
    return options;
}

/// Prints an exception that ended a coroutine.
void report_failure(const char* what, std::exception_ptr e) {
    if (!e)
        return;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        std::cerr << what << ": " << ex.what() << std::endl;
    }
}

/// One session of the server: waits for `peer` to connect to `local`, then
/// sends back every message until the peer leaves. Takes the server by
/// `shared_ptr`: it runs on its own (co_spawn), beside the other sessions.
asio::awaitable<void> serve(std::shared_ptr<msrp::MSRPServer> server, msrp::URI local, msrp::Path peer,
                            std::string name) {
    auto transport = co_await server->complete(peer);
    msrp::GreenMSRPSession session(std::move(transport), echo_session_options());
    std::cout << name << ": " << msrp::format_path(peer) << " connected" << std::endl;
    for (;;) {
        std::error_code ec;
        msrp::IncomingMessage message = co_await session.receive_chunk(asio::redirect_error(asio::use_awaitable, ec));
        if (ec) { // eof: the peer left
            std::cout << name << ": ended: " << ec.message() << std::endl;
            break;
        }
        if (message.method != "SEND" || !message.complete())
            continue; // REPORTs, and messages that failed to arrive
        std::cout << name << ": got " << message.data.size() << " bytes of "
                  << message.content_type().value_or("?") << std::endl;
        msrp::OutgoingMessage echo;
        echo.content_type = message.content_type().value_or("text/plain");
        echo.data = std::move(message.data);
        session.send_message(std::move(echo), {}, ec);
        if (ec)
            std::cout << name << ": cannot echo: " << ec.message() << std::endl;
    }
    co_await session.shutdown();
    server->cleanup(local);
}

/// Prepares one more session on the server, on `host` and `port` (0: any
/// free port; later sessions then share the one chosen). Returns this
/// side's path for the peer.
asio::awaitable<msrp::Path> prepare_session(msrp::MSRPServer& server, std::string host, std::uint16_t port) {
    msrp::URI local;
    local.host = std::move(host);
    local.port = port;
    co_return co_await server.prepare(local);
}

/// The interactive server: paths in on standard input, out on standard output.
asio::awaitable<void> serve_stdin(std::shared_ptr<msrp::MSRPServer> server, std::string host, std::uint16_t port) {
    const auto executor = co_await asio::this_coro::executor;
    example::stdin_lines input(executor);
    for (int n = 1;; ++n) {
        const msrp::Path mine = co_await prepare_session(*server, host, port);
        port = mine.back().port;
        std::cout << "session " << n << ": give the peer a=path:" << msrp::format_path(mine)
                  << "\nand type the peer's path:" << std::endl;
        const auto line = co_await input.next();
        if (!line) {
            server->cleanup(mine.back());
            co_return;
        }
        msrp::Path peer;
        if (const auto ec = msrp::parse_path(line->starts_with("a=path:") ? line->substr(7) : *line, peer);
            ec || peer.empty()) {
            std::cout << "not an MSRP path: " << *line << std::endl;
            server->cleanup(mine.back());
            continue;
        }
        const std::string name = "session " + std::to_string(n);
        asio::co_spawn(executor, serve(server, mine.back(), std::move(peer), name),
                       [name](std::exception_ptr e) { report_failure(name.c_str(), e); });
    }
}

/// A client of the self-test: connects to `server_path`, sends one
/// message and checks the echo. Returns whether it came back unchanged.
asio::awaitable<bool> client(std::unique_ptr<msrp::Connector> connector, msrp::Path server_path, int i) {
    auto transport = co_await connector->complete(server_path);
    msrp::GreenMSRPSession session(std::move(transport), echo_session_options());
    const std::string text = "hello from client " + std::to_string(i);
    msrp::OutgoingMessage message;
    message.data = text;
    session.send_message(std::move(message));
    msrp::IncomingMessage echo;
    do
        echo = co_await session.receive_chunk(); // skips REPORTs
    while (echo.method != "SEND");
    co_await session.shutdown();
    co_return echo.complete() && echo.data == text;
}

/// N clients in this process, all at once, each with a session of the
/// server on one shared port.
int self_test(int clients) {
    asio::io_context ctx{1};
    const auto executor = ctx.get_executor();
    const auto options = connect_options_with(10s);
    auto server = std::make_shared<msrp::MSRPServer>(executor, options);
    int echoed = 0, finished = 0;
    auto start = [&]() -> asio::awaitable<void> {
        std::uint16_t port = 0;
        for (int i = 0; i < clients; ++i) {
            const msrp::Path server_path = co_await prepare_session(*server, "127.0.0.1", port);
            port = server_path.back().port;
            auto connector = msrp::get_connector(executor, std::nullopt, {}, options);
            msrp::URI client_uri;
            client_uri.host = "127.0.0.1";
            msrp::Path client_path = co_await connector->prepare(client_uri);
            const std::string name = "session " + std::to_string(i);
            asio::co_spawn(executor, serve(server, server_path.back(), std::move(client_path), name),
                           [name](std::exception_ptr e) { report_failure(name.c_str(), e); });
            asio::co_spawn(executor, client(std::move(connector), server_path, i),
                           [&, i](std::exception_ptr e, bool ok) {
                               report_failure(("client " + std::to_string(i)).c_str(), e);
                               echoed += !e && ok;
                               // The last one done: stop listening, so
                               // that the io_context runs out of work.
                               if (++finished == clients)
                                   server->close();
                           });
        }
        std::cout << clients << " sessions on 127.0.0.1:" << port << std::endl;
    };
    asio::co_spawn(ctx, start, [&](std::exception_ptr e) {
        if (e) {
            report_failure("self-test", e);
            server->close();
        }
    });
    ctx.run_for(std::chrono::seconds(60)); // a backstop: every wait above is bounded
    std::cout << echoed << " of " << clients << " clients got their echo" << std::endl;
    return echoed == clients ? 0 : 1;
}

bool parse_number(const std::string& text, unsigned long max, unsigned long& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size() && out <= max;
}

} // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    unsigned long number = 0;
    std::string host = "127.0.0.1";
    unsigned long port = 2855;
    bool usage = args.size() > 2;
    if (args.size() == 2) {
        if (args[0] == "--self-test" && parse_number(args[1], 1000, number) && number > 0)
            return self_test(static_cast<int>(number));
        usage = true;
    } else if (args.size() == 1) {
        const auto colon = args[0].rfind(':');
        usage = colon == std::string::npos || colon == 0 || !parse_number(args[0].substr(colon + 1), 65535, port);
        if (!usage)
            host = args[0].substr(0, colon);
    }
    if (usage) {
        std::fprintf(stderr, "usage: %s [HOST:PORT] | --self-test N\n", argv[0]);
        return 2;
    }

    asio::io_context ctx{1};
    // Time for a person to paste the paths.
    auto server = std::make_shared<msrp::MSRPServer>(ctx.get_executor(), connect_options_with(60s));
    int status = 0;
    asio::co_spawn(ctx, serve_stdin(server, host, static_cast<std::uint16_t>(port)), [&](std::exception_ptr e) {
        if (e) {
            report_failure("server", e);
            server->close();
            status = 1;
        }
    });
    ctx.run();
    return status;
}
