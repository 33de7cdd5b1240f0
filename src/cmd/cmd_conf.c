/* cmd_conf — being written. */
