/* ui — being written. */
