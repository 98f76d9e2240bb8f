#pragma once
// The `msrp` subcommands; each returns the process's exit status.

#include "cli_options.hpp"

namespace msrp::cli {

int run_chat(const chat_options& options);
int run_demo(const demo_options& options);

} // namespace msrp::cli
