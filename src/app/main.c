/* twoway — a terminal inbox for two-way SMS conversations. main() parses
 * the command line; app.c does the rest. */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "twoway/xmalloc.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: twoway [-F FILE] [-e COMMAND]... [--log FILE] [-v]\n"
                 "       twoway --batch [--json] [-F FILE] [-e COMMAND]... [FILE|-]\n"
                 "       twoway --demo\n"
                 "       twoway --help | --version\n"
                 "\n"
                 "A terminal inbox for two-way SMS conversations (Chatwoot API, or twowayd).\n"
                 "\n"
                 "  -F, --config FILE   read FILE instead of $XDG_CONFIG_HOME/twoway/config\n"
                 "  -e, --exec COMMAND  run COMMAND after the config (repeatable)\n"
                 "      --batch         no screen: run the -e commands, then those in FILE\n"
                 "                      (or standard input), and exit 0 if all succeeded\n"
                 "      --json          with --batch: output one JSON object per line\n"
                 "      --demo          start a private twowayd with demo data and connect to it\n"
                 "      --log FILE      write diagnostics to FILE\n"
                 "  -v, --verbose       more diagnostics in the log\n"
                 "  -h, --help          show this help\n"
                 "  -V, --version       show the version\n"
                 "\n"
                 "Exit status: 0 all went well, 1 a command failed (or a usage error),\n"
                 "2 the server refused the token or the account, 3 it could not be reached.\n"
                 "\n"
                 "The server comes from the config (set url, set account) or TWOWAY_URL and\n"
                 "TWOWAY_ACCOUNT; the token from TWOWAY_TOKEN or `set token_command`, never\n"
                 "from the command line. See twoway(1) and twoway.conf(5).\n");
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'F'}, {"exec", required_argument, NULL, 'e'},
        {"batch", no_argument, NULL, 'b'},        {"json", no_argument, NULL, 'j'},
        {"demo", no_argument, NULL, 'd'},         {"log", required_argument, NULL, 'l'},
        {"verbose", no_argument, NULL, 'v'},      {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},      {NULL, 0, NULL, 0},
    };
    struct app_args a = {0};
    a.exec = xcalloc((size_t)argc + 1, sizeof *a.exec);
    int c;
    setlocale(LC_ALL, "");
    while ((c = getopt_long(argc, argv, "F:e:vhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'F':
            a.config = optarg;
            break;
        case 'e':
            a.exec[a.nexec++] = optarg;
            break;
        case 'b':
            a.batch = true;
            break;
        case 'j':
            a.json = true;
            break;
        case 'd':
            a.demo = true;
            break;
        case 'l':
            a.log = optarg;
            break;
        case 'v':
            a.verbose = true;
            break;
        case 'h':
            usage(stdout);
            free(a.exec);
            return 0;
        case 'V':
            printf("twoway %s\n", TWOWAY_VERSION);
            free(a.exec);
            return 0;
        default:
            usage(stderr);
            free(a.exec);
            return APP_EXIT_FAIL;
        }
    }
    if (optind < argc) {
        if (!a.batch || optind + 1 < argc) {
            fprintf(stderr, "twoway: unexpected argument: %s\n", argv[optind]);
            usage(stderr);
            free(a.exec);
            return APP_EXIT_FAIL;
        }
        a.batch_file = argv[optind];
    }
    if (a.json && !a.batch) {
        fprintf(stderr, "twoway: --json only applies to --batch\n");
        free(a.exec);
        return APP_EXIT_FAIL;
    }
    int rc = app_run(&a);
    free(a.exec);
    return rc;
}
