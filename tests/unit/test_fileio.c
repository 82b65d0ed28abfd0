/* test_fileio: reading regular files safely (common/fileio.c). */

#include <check.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "fileio.h"
#include "macro.h"
#include "testutil.h"

static char *dir;
static int dfd = -1;

static void setup(void) {
        dir = tu_tmpdir();
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ck_assert_int_ge(dfd, 0);
}

static void teardown(void) {
        closep(&dfd);
        tu_rmdir_r(dir);
        free(dir);
        dir = NULL;
}

START_TEST(test_read_regular) {
        _cleanup_(freep) char *p = tu_write_file(dir, "a.pem", "hello\nworld", 11);
        _cleanup_(freep) char *buf = NULL, *buf2 = NULL;
        size_t len = 0, len2 = 0;

        ck_assert_int_eq(read_file_at(dfd, "a.pem", 1024, &buf, &len), 0);
        ck_assert_uint_eq(len, 11);
        ck_assert_int_eq(buf[len], 0);
        ck_assert_str_eq(buf, "hello\nworld");

        ck_assert_int_eq(read_file_path(p, 1024, &buf2, &len2), 0);
        ck_assert_uint_eq(len2, 11);
        ck_assert_str_eq(buf2, "hello\nworld");
}
END_TEST

START_TEST(test_read_empty) {
        _cleanup_(freep) char *p = tu_write_file(dir, "empty", "", 0);
        _cleanup_(freep) char *buf = NULL;
        size_t len = 99;

        ck_assert_ptr_nonnull(p);
        ck_assert_int_eq(read_file_at(dfd, "empty", 1024, &buf, &len), 0);
        ck_assert_uint_eq(len, 0);
        ck_assert_ptr_nonnull(buf);
        ck_assert_int_eq(buf[0], 0);
}
END_TEST

START_TEST(test_read_binary_with_nul) {
        _cleanup_(freep) char *p = tu_write_file(dir, "bin", "a\0b", 3);
        _cleanup_(freep) char *buf = NULL;
        size_t len = 0;

        ck_assert_ptr_nonnull(p);
        ck_assert_int_eq(read_file_at(dfd, "bin", 1024, &buf, &len), 0);
        ck_assert_uint_eq(len, 3);
        ck_assert_int_eq(memcmp(buf, "a\0b", 4), 0);
}
END_TEST

START_TEST(test_symlink_refused) {
        _cleanup_(freep) char *p = tu_write_file(dir, "real", "x", 1);
        _cleanup_(freep) char *link = tu_path(dir, "link");
        _cleanup_(freep) char *buf = NULL;
        char *untouched = (char *) 0x1;
        size_t len = 7;

        ck_assert_ptr_nonnull(p);
        ck_assert_int_eq(symlink("real", link), 0);
        ck_assert_int_eq(read_file_at(dfd, "link", 1024, &untouched, &len), -ELOOP);
        /* ret_ is set only on success. */
        ck_assert_ptr_eq(untouched, (char *) 0x1);
        ck_assert_uint_eq(len, 7);

        /* Near miss: a path the operator names is followed. */
        ck_assert_int_eq(read_file_path(link, 1024, &buf, &len), 0);
        ck_assert_str_eq(buf, "x");
}
END_TEST

START_TEST(test_directory) {
        _cleanup_(freep) char *sub = tu_path(dir, "sub");
        char *buf = NULL;
        size_t len;

        ck_assert_int_eq(mkdir(sub, 0700), 0);
        ck_assert_int_eq(read_file_at(dfd, "sub", 1024, &buf, &len), -EISDIR);
        ck_assert_int_eq(read_file_path(sub, 1024, &buf, &len), -EISDIR);
        ck_assert_ptr_null(buf);
}
END_TEST

START_TEST(test_fifo) {
        _cleanup_(freep) char *fifo = tu_path(dir, "fifo");
        char *buf = NULL;
        size_t len;

        /* Must not block waiting for a writer. */
        ck_assert_int_eq(mkfifo(fifo, 0600), 0);
        ck_assert_int_eq(read_file_at(dfd, "fifo", 1024, &buf, &len), -EBADFD);
        ck_assert_ptr_null(buf);
}
END_TEST

START_TEST(test_device) {
        char *buf = NULL;
        size_t len;

        ck_assert_int_eq(read_file_path("/dev/null", 1024, &buf, &len), -EBADFD);
        ck_assert_ptr_null(buf);
}
END_TEST

START_TEST(test_too_large) {
        char data[100];
        _cleanup_(freep) char *p = NULL, *buf = NULL;
        char *none = NULL;
        size_t len = 0;

        memset(data, 'a', sizeof data);
        p = tu_write_file(dir, "big", data, sizeof data);
        ck_assert_int_eq(read_file_at(dfd, "big", 99, &none, &len), -EFBIG);
        ck_assert_ptr_null(none);
        /* Near miss: exactly the maximum. */
        ck_assert_int_eq(read_file_at(dfd, "big", 100, &buf, &len), 0);
        ck_assert_uint_eq(len, 100);
        ck_assert_int_eq(buf[100], 0);
}
END_TEST

/* A file that holds more than fstat() said (files in /proc say 0 bytes) is
 * read to its end through the growing buffer, and still never past max. */
START_TEST(test_file_larger_than_its_size_grows_the_buffer) {
        _cleanup_(freep) char *buf = NULL;
        char *none = NULL;
        size_t len = 0;
        struct stat st;

        ck_assert_int_eq(stat("/proc/self/status", &st), 0);
        ck_assert_int_eq(st.st_size, 0);
        ck_assert_int_eq(read_file_path("/proc/self/status", 1024 * 1024, &buf, &len), 0);
        ck_assert_uint_gt(len, 64); /* several doublings of the 1-byte start */
        ck_assert_uint_eq(strlen(buf), len);
        ck_assert_int_eq(strncmp(buf, "Name:", 5), 0);
        ck_assert_ptr_nonnull(strstr(buf, "\nPid:"));

        ck_assert_int_eq(read_file_path("/proc/self/status", 16, &none, &len), -EFBIG);
        ck_assert_ptr_null(none);
}
END_TEST

START_TEST(test_missing) {
        char *buf = NULL;
        size_t len;

        ck_assert_int_eq(read_file_at(dfd, "nope", 1024, &buf, &len), -ENOENT);
        ck_assert_ptr_null(buf);
}
END_TEST

static Suite *fileio_suite(void) {
        Suite *s = suite_create("fileio");
        TCase *tc = tcase_create("read");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_read_regular);
        tcase_add_test(tc, test_read_empty);
        tcase_add_test(tc, test_read_binary_with_nul);
        tcase_add_test(tc, test_symlink_refused);
        tcase_add_test(tc, test_directory);
        tcase_add_test(tc, test_fifo);
        tcase_add_test(tc, test_device);
        tcase_add_test(tc, test_too_large);
        tcase_add_test(tc, test_file_larger_than_its_size_grows_the_buffer);
        tcase_add_test(tc, test_missing);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(fileio_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
