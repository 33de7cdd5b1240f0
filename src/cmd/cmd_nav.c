/* cmd_nav — being written. */
