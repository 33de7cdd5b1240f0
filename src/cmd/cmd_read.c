/* cmd_read — being written. */
