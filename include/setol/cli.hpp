// The setol command line (CLI11). Exit status: 0 success, 1 a --fail-on rule matched,
// 2 could not run (usage error, missing, unreadable or corrupt input).
#pragma once

namespace setol {
int run_cli(int argc, char** argv);
}
