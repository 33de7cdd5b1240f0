/* cmd_act — being written. */
