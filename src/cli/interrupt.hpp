// SIGINT and SIGTERM end a run cleanly: temporary output files are removed (no half-written
// JSON or CSV), lines already written to a streaming JSONL report stay (so --resume can
// finish the job), and the exit status is 128 + the signal (130, 143) (internal).
#pragma once

namespace setol::cli {

void install_interrupt_handlers();

}  // namespace setol::cli
