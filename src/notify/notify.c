/* notify — being written. */
