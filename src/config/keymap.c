/* keymap — being written. */
