#pragma once
// The `msrp` command line: what each subcommand was asked to do.

#include <optional>
#include <string>
#include <vector>

namespace msrp::cli {

/// Exit statuses a script can act on.
enum exit_status : int {
    exit_ok = 0,
    exit_failure = 1, ///< the network or the peer failed (port in use, refused, lost)
    exit_usage = 2,   ///< the command line is wrong (unknown option, bad URI or address)
};

/// A command line that cannot be run; `what()` says why, for people.
struct usage_error {
    std::string message;
};

struct common_options {
    bool json = false;              ///< events as JSON lines on stdout
    std::string traffic_log;        ///< "", "text" or "json"
    std::string traffic_log_file;   ///< empty: stderr
};

struct chat_options {
    common_options common;
    std::optional<std::string> listen;  ///< HOST:PORT
    std::optional<std::string> connect; ///< the peer's full MSRP path
    bool tls = false;                   ///< listen with msrps
    std::string fingerprint;            ///< the peer's a=fingerprint, checked when connecting over TLS
    std::string uri = "sip:me@localhost";
    std::string name;
    std::string remote_uri = "sip:peer@localhost";
    bool plain = false;                 ///< send text/plain, no message/cpim wrapper
    int timeout_seconds = 30;           ///< for the peer to connect / the binding
};

struct demo_options {
    common_options common;
};

/// Parses `msrp chat ...` (the arguments after "chat"). Throws `usage_error`.
chat_options parse_chat_options(const std::vector<std::string>& args);
/// Parses `msrp demo ...`. Throws `usage_error`.
demo_options parse_demo_options(const std::vector<std::string>& args);

/// The usage text.
const char* usage_text();

} // namespace msrp::cli
