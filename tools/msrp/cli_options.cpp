#include "cli_options.hpp"

#include <charconv>

namespace msrp::cli {

namespace {

/// Walks the arguments; options take their value as the next argument or
/// after `=`.
class arg_cursor {
public:
    explicit arg_cursor(const std::vector<std::string>& args) : args_(args) {}

    bool next() {
        if (i_ >= args_.size())
            return false;
        current_ = args_[i_++];
        inline_value_.reset();
        if (current_.rfind("--", 0) == 0) {
            if (const auto eq = current_.find('='); eq != std::string::npos) {
                inline_value_ = current_.substr(eq + 1);
                current_.resize(eq);
            }
        }
        return true;
    }
    const std::string& name() const { return current_; }
    std::string value() {
        if (inline_value_)
            return *inline_value_;
        if (i_ >= args_.size())
            throw usage_error{current_ + " needs a value"};
        return args_[i_++];
    }
    void no_value() const {
        if (inline_value_)
            throw usage_error{current_ + " takes no value"};
    }

private:
    const std::vector<std::string>& args_;
    std::size_t i_ = 0;
    std::string current_;
    std::optional<std::string> inline_value_;
};

bool common_option(arg_cursor& a, common_options& out) {
    if (a.name() == "--json") {
        a.no_value();
        out.json = true;
    } else if (a.name() == "--log") {
        out.traffic_log = a.value();
        if (out.traffic_log != "text" && out.traffic_log != "json")
            throw usage_error{"--log takes text or json, not '" + out.traffic_log + "'"};
    } else if (a.name() == "--log-file") {
        out.traffic_log_file = a.value();
    } else {
        return false;
    }
    return true;
}

int parse_seconds(const std::string& option, const std::string& text) {
    int v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size() || v < 1 || v > 86400)
        throw usage_error{option + " takes a number of seconds (1 to 86400), not '" + text + "'"};
    return v;
}

} // namespace

chat_options parse_chat_options(const std::vector<std::string>& args) {
    chat_options o;
    arg_cursor a(args);
    while (a.next()) {
        if (common_option(a, o.common))
            continue;
        const auto& n = a.name();
        if (n == "--listen") {
            o.listen = a.value();
        } else if (n == "--connect") {
            o.connect = a.value();
        } else if (n == "--tls") {
            a.no_value();
            o.tls = true;
        } else if (n == "--fingerprint") {
            o.fingerprint = a.value();
        } else if (n == "--uri") {
            o.uri = a.value();
        } else if (n == "--name") {
            o.name = a.value();
        } else if (n == "--remote-uri") {
            o.remote_uri = a.value();
        } else if (n == "--plain") {
            a.no_value();
            o.plain = true;
        } else if (n == "--timeout") {
            o.timeout_seconds = parse_seconds(n, a.value());
        } else if (n == "--relay") {
            throw usage_error{"--relay: relays (RFC 4976) are not supported yet"};
        } else {
            throw usage_error{"unknown option for chat: " + n};
        }
    }
    if (o.listen.has_value() == o.connect.has_value())
        throw usage_error{"chat needs one of --listen HOST:PORT and --connect PATH"};
    if (o.connect && o.tls)
        throw usage_error{"--tls is for --listen; when connecting, the path's scheme (msrps) says it"};
    if (o.listen && !o.fingerprint.empty())
        throw usage_error{"--fingerprint is for --connect (the listening peer's certificate)"};
    return o;
}

demo_options parse_demo_options(const std::vector<std::string>& args) {
    demo_options o;
    arg_cursor a(args);
    while (a.next()) {
        if (!common_option(a, o.common))
            throw usage_error{"unknown option for demo: " + a.name()};
    }
    return o;
}

const char* usage_text() {
    return "usage:\n"
           "  msrp demo [--json] [--log text|json] [--log-file FILE]\n"
           "      Alice and Bob chat over MSRP on 127.0.0.1 in this process: CPIM-wrapped\n"
           "      messages, is-composing and delivery reports, printed as they happen.\n"
           "  msrp chat --listen HOST:PORT [--tls] [options]\n"
           "      Prints this side's path (a=path:..., and a=fingerprint:... with --tls)\n"
           "      and waits for a peer to connect.\n"
           "  msrp chat --connect PATH [--fingerprint 'sha-256 AB:...'] [options]\n"
           "      Connects to the peer at PATH (msrp://host:port/session;tcp, or msrps://).\n"
           "  Lines typed on stdin are sent as messages; received ones are printed with\n"
           "  sender and time; end of input ends the chat.\n"
           "chat options:\n"
           "  --uri SIP-URI       this side's identity (CPIM From), default sip:me@localhost\n"
           "  --name NAME         this side's display name\n"
           "  --remote-uri URI    the peer's identity (CPIM To), default sip:peer@localhost\n"
           "  --plain             send text/plain without the message/cpim wrapper\n"
           "  --timeout SECONDS   to wait for the peer and the binding (default 30)\n"
           "  --json              events as JSON lines on stdout\n"
           "  --log text|json     the MSRP traffic log, to stderr or --log-file FILE\n"
           "exit status: 0 done, 1 network or peer failure, 2 bad command line\n";
}

} // namespace msrp::cli
