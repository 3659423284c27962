//! A panic hands the terminal back before anything is printed (its own test binary: the
//! panic hook is process-wide).

use std::sync::{Arc, Mutex};

#[test]
fn a_panic_restores_the_terminal_before_the_message_is_printed() {
    let order: Arc<Mutex<Vec<&'static str>>> = Arc::default();
    let o = order.clone();
    // Stands in for the default hook that prints the message.
    std::panic::set_hook(Box::new(move |_| o.lock().expect("order").push("message")));
    let o = order.clone();
    jarterm::terminal::install_panic_hook_with(move || o.lock().expect("order").push("restore"));
    let result = std::panic::catch_unwind(|| panic!("boom"));
    assert!(result.is_err());
    let _ = std::panic::take_hook();
    assert_eq!(*order.lock().expect("order"), ["restore", "message"]);
}
