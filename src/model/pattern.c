/* pattern — being written. */
