/* cmd_table — being written. */
