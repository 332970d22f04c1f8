/* cmd.h - one function per subcommand (like git's builtin.h).
 *
 * Each cmd_*() parses its own arguments (argv[0] is the subcommand name),
 * runs, prints, and returns the process exit code (see session.h).
 */
#ifndef KH_CMD_H
#define KH_CMD_H

int cmd_dir(int argc, char **argv);
int cmd_stdin(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_git(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int cmd_staged(int argc, char **argv);
int cmd_install_hook(int argc, char **argv);
int cmd_uninstall_hook(int argc, char **argv);

#endif
