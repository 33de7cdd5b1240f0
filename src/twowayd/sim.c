/* sim — being written. */
