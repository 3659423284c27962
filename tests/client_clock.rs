//! Issue 12 §4: the client's clock is injected, so time is moved on instead of slept through.

mod common;

use chrono::Duration;
use common::*;
use jar_core::Role;
use jarterm::api::Client;
use jarterm::app::App;
use jarterm::clock::ManualClock;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

#[tokio::test]
async fn the_screen_locks_when_the_injected_clock_passes_the_idle_time() {
    let mut state = board_state(Role::KeyWorker);
    state.idle_lock_minutes = Some(10);
    let terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    let client = Client::new("http://127.0.0.1:9").expect("client");
    let mut app = App::new(
        state,
        terminal,
        jarterm::theme::Theme::default_theme(),
        client,
    );
    let clock = ManualClock::new(now());
    app.clock = std::sync::Arc::new(clock.clone());
    clock.advance(Duration::minutes(9));
    app.tick();
    assert!(!app.state.locked, "nine idle minutes: still open");
    assert_eq!(app.state.now, now() + Duration::minutes(9));
    clock.advance(Duration::minutes(1));
    app.tick();
    assert!(app.state.locked, "ten idle minutes: locked");
    app.draw().expect("draw");
    let text = buffer_text(app.terminal.backend().buffer());
    assert!(text.contains("Locked after 10 idle minutes"), "{text}");
    assert!(!text.contains("JAR-2026"), "{text}");
}
