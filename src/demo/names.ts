/** Name pools for generated worlds (demo hospital, benchmarks). */
export const FIRST_NAMES = [
  'Alice', 'Bob', 'Carol', 'David', 'Elena', 'Farid', 'Grace', 'Hugo', 'Ines', 'Jonas', 'Kira', 'Liam', 'Maya', 'Noah',
  'Olga', 'Pablo', 'Quinn', 'Rosa', 'Samir', 'Tara', 'Umar', 'Vera', 'Wei', 'Xenia', 'Yusuf', 'Zoe', 'Anton', 'Bianca',
  'Chen', 'Dora', 'Emil', 'Fatima', 'Georg', 'Hanna', 'Ivan', 'Julia', 'Karl', 'Lena', 'Marco', 'Nora', 'Oskar', 'Paula',
];
export const LAST_NAMES = [
  'Fischer', 'Novak', 'Okafor', 'Lindqvist', 'Moreau', 'Kowalski', 'Haddad', 'Tanaka', 'Silva', 'Schmidt', 'Rossi',
  'Nguyen', 'Petrov', 'Jensen', 'Costa', 'Brennan', 'Yilmaz', 'Horvat', 'Dubois', 'Keller', 'Meyer', 'Ortega', 'Larsen',
  'Bauer', 'Ivanova', 'Santos', 'Weber', 'Kovac', 'Murphy', 'Hoffmann', 'Ali', 'Park', 'Varga', 'Lopez', 'Berg',
];
