#include "setol/cli.hpp"

int main(int argc, char** argv) { return setol::run_cli(argc, argv); }
