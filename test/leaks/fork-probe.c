/*
 * Compiled at test time (test/leaks/fork.test.ts) and loaded into a Node process with koffi.
 * fork_read() forks; the child tries to read `length` bytes at `address` and exits, the parent
 * waits and says what happened. All of the child's work is here, in C: after fork() only the
 * calling thread exists, so the child must not run JavaScript.
 *
 *   result[0]  read(2)-style probe: 0 if the child could copy the bytes (through a pipe), else
 *              the errno its write(2) from `address` failed with (EFAULT: nothing mapped there)
 *   result[1]  touch probe: the signal that ended a second child that loads the first byte
 *              (SIGSEGV: nothing mapped there), 0 if it exited normally
 *   copy       the bytes the first child could read (length bytes)
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static int copy_in_child(const void *address, size_t length, unsigned char *copy) {
  int fds[2];
  if (pipe(fds) != 0) return -errno;
  pid_t pid = fork();
  if (pid < 0) return -errno;
  if (pid == 0) {
    close(fds[0]);
    ssize_t written = write(fds[1], address, length); /* the kernel reads `address` for us: EFAULT if unmapped */
    _exit(written == (ssize_t)length ? 0 : (written < 0 ? errno : 255));
  }
  close(fds[1]);
  size_t got = 0;
  while (got < length) {
    ssize_t n = read(fds[0], copy + got, length - got);
    if (n <= 0) break;
    got += (size_t)n;
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 256 + WTERMSIG(status);
}

static int touch_in_child(const void *address) {
  pid_t pid = fork();
  if (pid < 0) return -errno;
  if (pid == 0) {
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
    volatile unsigned char byte = *(volatile const unsigned char *)address;
    _exit(byte == 0 ? 1 : 2);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

int fork_read(const void *address, size_t length, unsigned char *copy, int *result) {
  result[0] = copy_in_child(address, length, copy);
  result[1] = touch_in_child(address);
  return 0;
}
