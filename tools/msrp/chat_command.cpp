// `msrp chat`: one side of a chat between two processes. The listening side
// prints its path; the connecting side is given it. Lines on stdin are sent,
// events printed; the end of input ends the chat.

#include "commands.hpp"
#include "console.hpp"
#include "stdin_lines.hpp"

#include <msrp/protocol/path.hpp>
#include <msrp/streams/chat.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include <charconv>
#include <iostream>

namespace msrp::cli {

namespace {

/// HOST:PORT, HOST being a name, an IPv4 address or a bracketed IPv6 one.
URI parse_listen_address(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
        throw usage_error{"--listen takes HOST:PORT, not '" + text + "'"};
    URI uri;
    uri.host = text.substr(0, colon);
    if (uri.host.size() > 2 && uri.host.front() == '[' && uri.host.back() == ']')
        uri.host = uri.host.substr(1, uri.host.size() - 2);
    const std::string port = text.substr(colon + 1);
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value > 65535)
        throw usage_error{"--listen: '" + port + "' is not a port number (0 to 65535)"};
    uri.port = static_cast<std::uint16_t>(value);
    return uri;
}

/// What this tool assumes of a peer it has no SDP from: another `msrp
/// chat` (or a SIP client's defaults), which accepts CPIM-wrapped text and
/// is-composing.
SDPMedia assumed_peer_media(const chat_options& o, const Path& remote_path, bool tls) {
    SDPMedia m = make_msrp_media(remote_path, o.plain ? std::vector<std::string>{"text/plain"}
                                                      : chat_settings{}.accept_types,
                                 o.plain ? std::vector<std::string>{} : chat_settings{}.accept_wrapped_types);
    m.transport = tls ? "TCP/TLS/MSRP" : "TCP/MSRP";
    m.setup = o.listen ? "active" : "passive";
    m.fingerprint = o.fingerprint;
    return m;
}

} // namespace

int run_chat(const chat_options& o) {
    URI local;
    Path remote_path;
    bool tls = o.tls;
    if (o.listen) {
        local = parse_listen_address(*o.listen);
        local.use_tls = o.tls;
    } else {
        if (const auto ec = parse_path(*o.connect, remote_path); ec || remote_path.empty())
            throw usage_error{"'" + *o.connect + "' is not an MSRP path (msrp://host:port/session;tcp): " +
                              (ec ? ec.message() : std::string("empty"))};
        tls = remote_path.back().use_tls;
        local.use_tls = tls;
    }

    asio::io_context ctx{1};
    NotificationCenter center(ctx.get_executor());
    std::unique_ptr<std::ofstream> log_file;
    chat_settings settings;
    settings.local_uri = local;
    settings.logger = make_traffic_logger(o.common, log_file);
    settings.connect.bind_timeout = std::chrono::seconds(o.timeout_seconds);
    // Listening without SDP, the peer's path is learnt from its binding SEND.
    settings.connect.accept_any_peer = o.listen.has_value();
    if (o.plain)
        settings.accept_types = {"text/plain", std::string(iscomposing_content_type)};
    console out(std::cout, o.common.json);
    MSRPChat chat(ctx.get_executor(), center, ChatIdentity{o.uri, o.name}, o.remote_uri, o.connect.has_value(),
                  settings);
    stdin_lines input(ctx.get_executor());
    int status = exit_ok;

    auto sub = center.add_observer(
        [&](const Notification& n) {
            if (const auto* m = n.data_as<ChatGotMessageData>()) {
                out.got_message({}, *m);
            } else if (n.name == notification::chat_did_deliver_message) {
                out.delivery({}, *n.data_as<ChatDeliveryData>(), true);
            } else if (n.name == notification::chat_did_not_deliver_message) {
                out.delivery({}, *n.data_as<ChatDeliveryData>(), false);
            } else if (const auto* c = n.data_as<ChatComposingData>()) {
                out.composing({}, {}, *c);
            } else if (const auto* bad = n.data_as<ChatGotInvalidMessageData>()) {
                out.invalid_message({}, *bad);
            } else if (const auto* f = n.data_as<ChatDidFailData>()) {
                out.failed({}, *f);
                // The peer leaving ends the chat; anything else is a failure.
                if (f->context == "reading") {
                    if (f->failure != asio::error::eof)
                        status = exit_failure;
                    input.cancel();
                }
            } else if (n.name == notification::chat_did_end) {
                out.ended({});
            }
        },
        {}, &chat);

    auto session = [&]() -> asio::awaitable<void> {
        std::error_code ec;
        co_await chat.initialize(asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            std::cerr << "msrp: cannot " << (o.listen ? "listen on " + *o.listen : std::string("prepare to connect"))
                      << ": " << ec.message() << "\n";
            status = exit_failure;
            co_await chat.end();
            co_return;
        }
        if (o.listen)
            out.listening({}, chat.local_media());
        const auto peer = assumed_peer_media(o, remote_path, tls);
        co_await chat.start(peer, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            std::cerr << "msrp: " << (o.listen ? "no peer bound to " + *o.listen : "cannot connect to " + *o.connect)
                      << ": " << ec.message() << "\n";
            status = exit_failure;
            co_await chat.end();
            co_return;
        }
        out.connected({}, format_path(chat.session()->transport().full_remote_path()));
        for (;;) {
            auto line = co_await input.next();
            if (!line || !chat.started())
                break;
            if (line->empty())
                continue;
            std::error_code send_ec;
            const auto chunk = chat.send_message(*line, "text/plain", std::nullopt, std::nullopt, send_ec);
            if (send_ec) {
                std::cerr << "msrp: cannot send: " << send_ec.message() << "\n";
                continue;
            }
            out.sent({}, chunk.message_id().value_or(""), *line, chunk.content_type().value_or(""));
        }
        co_await chat.end();
    };
    asio::co_spawn(ctx, session(), [&](std::exception_ptr e) {
        if (!e)
            return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            std::cerr << "msrp: " << ex.what() << "\n";
        }
        status = exit_failure;
    });
    ctx.run();
    return status;
}

} // namespace msrp::cli
